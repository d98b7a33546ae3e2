/**
 * Builds API Gateway v2 (HTTP API, payload 2.0) events for the handlers, matching the path against
 * the route table so `routeKey` and `pathParameters` are what API Gateway would send.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { LOCAL_ONLY_ROUTES, ROUTES } from "../../src/routes";

export type ApiEventInput = {
  method: string;
  /** Path with an optional query string, e.g. "/api/jobs?limit=2". */
  path: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  isBase64Encoded?: boolean;
  /** The client address API Gateway reports (default 127.0.0.1). */
  sourceIp?: string;
};

const ALL_ROUTES: Record<string, string> = { ...ROUTES, ...LOCAL_ONLY_ROUTES };

/** The route key and handler module serving method + path, with the path parameters. */
export function matchRoute(method: string, path: string): { routeKey: string; module: string; pathParameters: Record<string, string> } | null {
  const segments = path.split("/");
  let best: { routeKey: string; module: string; pathParameters: Record<string, string>; literals: number } | null = null;
  for (const [routeKey, module] of Object.entries(ALL_ROUTES)) {
    const [routeMethod, template] = routeKey.split(" ");
    if (routeMethod !== method.toUpperCase()) continue;
    const parts = template.split("/");
    if (parts.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let literals = 0;
    const matches = parts.every((part, i) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        if (!segments[i]) return false;
        pathParameters[param[1]] = decodeURIComponent(segments[i]);
        return true;
      }
      literals++;
      return part === segments[i];
    });
    // API Gateway prefers the most specific route (/api/jobs/create over /api/jobs/{id}).
    if (matches && (!best || literals > best.literals)) best = { routeKey, module, pathParameters, literals };
  }
  return best && { routeKey: best.routeKey, module: best.module, pathParameters: best.pathParameters };
}

export function apiEvent(input: ApiEventInput): APIGatewayProxyEventV2 {
  const url = new URL(input.path, "http://placeholder");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const match = matchRoute(input.method, url.pathname);
  const body = input.body === undefined ? undefined : typeof input.body === "string" ? input.body : JSON.stringify(input.body);
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => (query[name] = value));
  return {
    version: "2.0",
    routeKey: match?.routeKey ?? "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    cookies,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: match && Object.keys(match.pathParameters).length ? match.pathParameters : undefined,
    body,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: "123456789012",
      apiId: "test",
      domainName: headers.host ?? "localhost",
      domainPrefix: "test",
      http: { method: input.method.toUpperCase(), path: url.pathname, protocol: "HTTP/1.1", sourceIp: input.sourceIp ?? "127.0.0.1", userAgent: "vitest" },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: match?.routeKey ?? "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}
