/**
 * API Gateway HTTP API (payload format 2.0) on one machine: a routing table (functions/src/routes.ts)
 * matched as API Gateway matches it, a request turned into the event a Lambda receives, and the
 * handler's result written back as API Gateway writes it. The local stack's gateway and the
 * handler tests both build their events here, so the handlers see one emulation.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export type Route = { routeKey: string; method: string; module: string; pattern: RegExp; params: string[]; literals: number };

/** Compiles "METHOD /path/{param}" keys; routes with more literal segments win, as in API Gateway. */
export function compileRoutes(table: Record<string, string>): Route[] {
  return Object.entries(table)
    .map(([routeKey, module]) => {
      const [method, template] = routeKey.split(" ");
      const params: string[] = [];
      const segments = template.split("/").slice(1);
      const source = segments
        .map((segment) => {
          const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          params.push(param[1]);
          return "([^/]+)";
        })
        .join("/");
      return { routeKey, method, module, pattern: new RegExp(`^/${source}$`), params, literals: segments.length - params.length };
    })
    .sort((a, b) => b.literals - a.literals);
}

/** The route for a method and path, with its decoded path parameters; null when none matches. */
export function matchRoute(routes: Route[], method: string, path: string): { route: Route; pathParameters: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    try {
      route.params.forEach((name, i) => (pathParameters[name] = decodeURIComponent(match[i + 1])));
    } catch {
      return null; // malformed %-escape: no route matches it
    }
    return { route, pathParameters };
  }
  return null;
}

/** Bodies of these types arrive as text; everything else base64-encoded, as API Gateway does. */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|[a-z0-9.+-]*\+json|x-www-form-urlencoded|xml|javascript))/i.test(contentType);
}

/** What API Gateway reads from an HTTP request. */
export type ApiRequest = {
  method: string;
  /** The full URL (path and query string as sent). */
  url: URL;
  /** Header values as Node gives them (repeated headers as arrays). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp?: string;
  httpVersion?: string;
  /**
   * How the body travels: API Gateway sends textual content types as text and the rest base64;
   * a test may force base64, which API Gateway is free to choose for any body.
   */
  bodyEncoding?: "auto" | "base64";
};

/** The event API Gateway sends for a request that matched `matched` (null: the $default route). */
export function apiGatewayEvent(request: ApiRequest, matched: { route: Route; pathParameters: Record<string, string> } | null): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    // Repeated headers arrive as one, their values joined with commas.
    const joined = Array.isArray(value) ? value.join(",") : value;
    // API Gateway moves the Cookie header into the `cookies` array.
    if (lower === "cookie") cookies = joined.split(";").map((c) => c.trim()).filter(Boolean);
    else headers[lower] = headers[lower] === undefined ? joined : `${headers[lower]},${joined}`;
  }
  // Repeated query parameters arrive as one, their values joined with commas (payload format 2.0).
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  const now = new Date();
  const routeKey = matched?.route.routeKey ?? "$default";
  const base64 = request.bodyEncoding === "base64" || !isTextual(headers["content-type"]);
  const body = request.body;
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.replace(/^\?/, ""),
    cookies,
    headers,
    queryStringParameters: Object.keys(queryStringParameters).length ? queryStringParameters : undefined,
    pathParameters: matched?.route.params.length ? matched.pathParameters : undefined,
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0],
      http: {
        method: request.method.toUpperCase(),
        path: request.url.pathname,
        protocol: `HTTP/${request.httpVersion ?? "1.1"}`,
        sourceIp: request.sourceIp ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0 && base64,
  };
  if (body.length > 0) event.body = base64 ? body.toString("base64") : body.toString("utf8");
  return event;
}

/** The event for a request the local gateway's HTTP server received. */
export function toApiEvent(req: IncomingMessage, url: URL, matched: { route: Route; pathParameters: Record<string, string> }, body: Buffer): APIGatewayProxyEventV2 {
  return apiGatewayEvent(
    { method: req.method ?? "GET", url, headers: req.headers, body, sourceIp: req.socket.remoteAddress ?? "127.0.0.1", httpVersion: req.httpVersion },
    matched,
  );
}

/** Writes a handler result back: structured results as they are, anything else as a 200 JSON body. */
export function writeApiResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | object | undefined, head: boolean) {
  const structured = typeof result === "object" && result !== null && "statusCode" in result;
  const response: APIGatewayProxyStructuredResultV2 = structured
    ? (result as APIGatewayProxyStructuredResultV2)
    : { statusCode: 200, headers: { "content-type": "application/json" }, body: typeof result === "string" ? result : JSON.stringify(result ?? null) };
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (response.cookies?.length) headers["set-cookie"] = response.cookies;
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body, response.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.length);
  res.writeHead(response.statusCode ?? 200, headers);
  res.end(head ? undefined : body);
}
