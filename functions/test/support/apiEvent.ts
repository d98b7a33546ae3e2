/**
 * API Gateway v2 (HTTP API, payload 2.0) events for the handlers, built by the same emulation the
 * local stack's gateway uses (@doctown/testing/apiGateway) over functions' route table.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { apiGatewayEvent, compileRoutes, matchRoute as matchCompiled } from "@doctown/testing/apiGateway";
import { LOCAL_ONLY_ROUTES, ROUTES } from "../../src/routes";

export type ApiEventInput = {
  method: string;
  /** Path with an optional query string, e.g. "/api/jobs?limit=2". */
  path: string;
  headers?: Record<string, string>;
  /** A string is sent as is (base64 text when isBase64Encoded); anything else as JSON. */
  body?: unknown;
  /** The body is base64 text of the bytes sent, and API Gateway passes it on base64-encoded. */
  isBase64Encoded?: boolean;
  /** The client address API Gateway reports (default 127.0.0.1). */
  sourceIp?: string;
};

const routes = compileRoutes({ ...ROUTES, ...LOCAL_ONLY_ROUTES });

/** The route key and handler module serving method + path, with the path parameters. */
export function matchRoute(method: string, path: string): { routeKey: string; module: string; pathParameters: Record<string, string> } | null {
  const matched = matchCompiled(routes, method.toUpperCase(), path);
  return matched && { routeKey: matched.route.routeKey, module: matched.route.module, pathParameters: matched.pathParameters };
}

export function apiEvent(input: ApiEventInput): APIGatewayProxyEventV2 {
  const url = new URL(input.path, "http://placeholder");
  const text = input.body === undefined ? "" : typeof input.body === "string" ? input.body : JSON.stringify(input.body);
  const body = input.isBase64Encoded ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
  return apiGatewayEvent(
    { method: input.method, url, headers: input.headers ?? {}, body, sourceIp: input.sourceIp, bodyEncoding: input.isBase64Encoded ? "base64" : "auto", httpVersion: "1.1" },
    matchCompiled(routes, input.method.toUpperCase(), url.pathname),
  );
}
