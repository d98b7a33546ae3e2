/**
 * An authenticating proxy in front of a local storage stand-in (s3rver or dynalite), which check no
 * signatures themselves: every request must be signed (SigV4, header or presigned URL) with this
 * stack's own credentials, or it is answered 403 and never reaches the stand-in. CORS is the
 * proxy's alone: the stand-in's Access-Control-* headers are dropped, and only the site's own
 * origins get them back, for signed GET/HEAD (the viewer's presigned downloads) and their
 * preflights — never `*`.
 * The stand-in listens on another loopback port that only this process knows.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { declaredPayloadHash, signatureForm, verifySigV4, type SigV4Credentials } from "./sigv4";
import { readBody } from "./httpBody";

export type StorageProxyOptions = {
  /** "s3" or "dynamodb": the service the signature must name. */
  service: string;
  credentials: SigV4Credentials;
  upstream: { host: string; port: number };
  /** Largest body buffered to check a signed payload hash (DynamoDB bodies, small S3 PUTs). */
  maxBufferedBody?: number;
};

export type StorageProxy = {
  url: string;
  /** Origins (e.g. the site) whose browsers may read signed GET/HEAD answers. */
  allowOrigins(origins: string[]): void;
  close(): Promise<void>;
};

const CORS_METHODS = new Set(["GET", "HEAD"]);

export async function startStorageProxy(options: StorageProxyOptions): Promise<StorageProxy> {
  let allowed = new Set<string>();
  const maxBody = options.maxBufferedBody ?? 16 * 1024 * 1024;

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) deny(res, 502, "ProxyError", `The storage stand-in could not be reached: ${(error as Error).message}`, options.service);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? "GET").toUpperCase();
    const origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
    const corsOrigin = origin !== undefined && allowed.has(origin) ? origin : undefined;
    if (method === "OPTIONS") {
      req.resume();
      const wanted = String(req.headers["access-control-request-method"] ?? "").toUpperCase();
      if (!corsOrigin || !CORS_METHODS.has(wanted)) return deny(res, 403, "AccessDenied", "Cross-origin requests are allowed from the site only, for GET and HEAD.", options.service);
      res.writeHead(204, { ...corsHeaders(corsOrigin), "access-control-allow-methods": "GET, HEAD", "access-control-max-age": "600" });
      return res.end();
    }

    const received = { method, url: req.url ?? "/", headers: req.headers };
    if (signatureForm(received) === null) {
      req.resume();
      return deny(res, 403, "AccessDenied", "Requests must be signed with this stack's credentials.", options.service);
    }
    // A header signature over a hashed payload (or none declared: DynamoDB) needs the body itself.
    const declared = declaredPayloadHash(received);
    const needsBody = signatureForm(received) === "header" && declared !== "UNSIGNED-PAYLOAD";
    let body: Buffer | undefined;
    if (needsBody) {
      body = (await readBody(req, maxBody)) ?? undefined;
      if (!body) return deny(res, 413, "EntityTooLarge", "The signed body is too large for this stand-in.", options.service);
    }
    const verdict = await verifySigV4({ ...received, body }, options.credentials, options.service);
    if (!verdict.ok) {
      if (!needsBody) req.resume();
      const code = verdict.unknownKey
        ? options.service === "s3" ? "InvalidAccessKeyId" : "UnrecognizedClientException"
        : options.service === "s3" ? "SignatureDoesNotMatch" : "InvalidSignatureException";
      return deny(res, 403, code, verdict.reason, options.service);
    }
    await forward(req, res, body, corsOrigin && CORS_METHODS.has(method) ? corsOrigin : undefined);
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, corsOrigin: string | undefined) {
    return new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        { host: options.upstream.host, port: options.upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers))
            if (value !== undefined && !name.startsWith("access-control-")) headers[name] = value;
          // Always Vary on Origin: a browser that cached the answer to a navigation (the download
          // link) must not reuse it, without CORS headers, for the viewer's fetch of the same URL.
          headers.vary = "Origin";
          if (corsOrigin) Object.assign(headers, corsHeaders(corsOrigin));
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
          answer.on("end", resolve);
          answer.on("error", reject);
        },
      );
      upstream.on("error", reject);
      res.on("close", () => upstream.destroy());
      if (body) upstream.end(body);
      else req.pipe(upstream);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    allowOrigins(origins) {
      allowed = new Set(origins);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function corsHeaders(origin: string): Record<string, string> {
  return { "access-control-allow-origin": origin, vary: "Origin", "access-control-expose-headers": "Content-Length, Content-Type, ETag" };
}

/** An error in the service's own shape: S3's XML, DynamoDB's JSON `__type`. */
function deny(res: ServerResponse, status: number, code: string, message: string, service: string) {
  const escape = (text: string) => text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  const [type, body] =
    service === "s3"
      ? ["application/xml", `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message></Error>`]
      : ["application/x-amz-json-1.0", JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message })];
  res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store" });
  res.end(body);
}

