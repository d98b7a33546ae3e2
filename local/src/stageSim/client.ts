/** A browser-like client of the simulated site: HTTPS trusting the simulation's CA, a session cookie, Origin on writes. */
import { Agent, fetch as undiciFetch } from "undici";

export type SiteClient = {
  origin: string;
  cookie?: string;
  get(path: string, init?: { redirect?: "manual" | "follow" }): Promise<Response>;
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Any URL (the presigned download), same trust settings. */
  fetchUrl(url: string): Promise<Response>;
  close(): Promise<void>;
};

export function siteClient(origin: string, ca: string, cookie?: string): SiteClient {
  const dispatcher = new Agent({ connect: { ca } });
  const call = (url: string, init: Record<string, unknown> = {}) => undiciFetch(url, { ...init, dispatcher } as never) as unknown as Promise<Response>;
  const auth = cookie ? { cookie } : {};
  return {
    origin,
    cookie,
    get: (path, init = {}) => call(`${origin}${path}`, { headers: auth, redirect: init.redirect ?? "follow" }),
    send: (method, path, body, headers = {}) =>
      call(`${origin}${path}`, {
        method,
        headers: { ...auth, origin, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    fetchUrl: (url) => call(url),
    close: () => dispatcher.close(),
  };
}

/**
 * A request straight to the API's default `execute-api` endpoint (bypassing CloudFront), with the
 * headers a caller chooses — what anyone on the internet can send there.
 */
export async function directApiRequest(
  endpoint: { host: string; port: number },
  ca: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const { request: httpsRequest } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port: endpoint.port, servername: endpoint.host, ca, method: request.method, path: request.path, headers: { host: endpoint.host, ...request.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}
