/**
 * The local API Gateway + CloudFront: one HTTP server that sends /api/* and /auth/* to the same
 * Lambda handlers the cloud runs (as API Gateway v2 events, routed by functions/src/routes.ts) and
 * serves the built dashboard for everything else, on one origin like the deployed site.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { LOCAL_ONLY_ROUTES, ROUTES } from "@doctown/functions/routes";
import { apiSecurityHeaders, pageSecurityHeaders } from "@doctown/functions/securityHeaders";
import { compileRoutes, matchRoute, toApiEvent, writeApiResult } from "@doctown/testing/apiGateway";
import { serveStatic } from "./staticFiles";
import { readBody } from "@doctown/testing/httpBody";

/** API Gateway's payload limit is 10 MB; nothing Doctown accepts comes close to 1 MB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
const API_PREFIXES = ["/api/", "/auth/"];

type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context?: unknown) => Promise<APIGatewayProxyStructuredResultV2 | string | object>;

export type GatewayOptions = {
  port?: number;
  host?: string;
  /** The built dashboard (web/dist); missing: a hint to build it is served instead. */
  webRoot: string;
  /** Where the viewer fetches docpacks from (the pages' connect-src). */
  storageOrigins?: string[];
};

export type Gateway = { url: string; port: number; close(): Promise<void> };

const routes = compileRoutes({ ...ROUTES, ...LOCAL_ONLY_ROUTES });
const handlers = new Map<string, Promise<LambdaHttpHandler>>();

/** The handler module's `handler`, imported once (like a warm Lambda). */
function handlerFor(module: string): Promise<LambdaHttpHandler> {
  let handler = handlers.get(module);
  if (!handler) {
    handler = import(`@doctown/functions/${module}`).then((m: { handler: LambdaHttpHandler }) => m.handler);
    handlers.set(module, handler);
  }
  return handler;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  // Plain HTTP on this machine: no HSTS (it would pin localhost to HTTPS in the browser).
  const pageHeaders = pageSecurityHeaders({ hsts: false, storageOrigins: options.storageOrigins ?? [] });
  const server = createServer((req, res) => {
    handle(req, res, options.webRoot, pageHeaders).catch((error) => {
      console.error("doctown gateway:", error);
      if (!res.headersSent) sendJsonError(res, 500, "internal_error", "Something went wrong on our side.");
      else res.destroy();
    });
  });
  // A slow or stuck client must not hold a connection forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, webRoot: string, pageHeaders: Record<string, string>) {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://gateway.invalid");
  } catch {
    return sendJsonError(res, 400, "bad_request", "The request URL is malformed.");
  }
  const method = (req.method ?? "GET").toUpperCase();
  const isApi = API_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));
  if (!isApi) {
    if (await serveStatic(webRoot, req, res, url.pathname, pageHeaders)) return;
    return sendJsonError(res, 405, "method_not_allowed", `${method} is not allowed here.`);
  }

  const matched = matchRoute(routes, method, url.pathname);
  if (!matched) {
    req.resume();
    return sendJsonError(res, 404, "not_found", `No route for ${method} ${url.pathname}.`);
  }
  const body = await readBody(req, MAX_REQUEST_BYTES);
  if (body === null) return sendJsonError(res, 413, "payload_too_large", `The request body is over ${MAX_REQUEST_BYTES} bytes.`, true);
  const handler = await handlerFor(matched.route.module);
  const result = await handler(toApiEvent(req, url, matched, body), { awsRequestId: crypto.randomUUID() });
  writeApiResult(res, result, method === "HEAD");
}


function sendJsonError(res: ServerResponse, status: number, code: string, message: string, close = false) {
  const body = JSON.stringify({ error: { code, message } });
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    ...apiSecurityHeaders({ hsts: false }),
  };
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(body);
}
