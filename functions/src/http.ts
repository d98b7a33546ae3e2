/**
 * The HTTP edge: turns an API Gateway v2 event into a small request object, runs a thin handler,
 * and maps every outcome to a response. Errors become `{ "error": { "code", "message" } }`; a
 * stack trace is logged, never returned. State-changing routes must come from the site's origin.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod";
import { timingSafeEqual } from "node:crypto";
import { deployedSiteOrigin, isLocalStage, loadSecrets, optionalSetting } from "@doctown/core/config";
import { AppError, BadRequest, ConfigError, Forbidden, PayloadTooLarge, RateLimited, Unauthorized } from "@doctown/core/errors";
import { readSession, SESSION_COOKIE, sessionCookie } from "@doctown/core/session";
import { ORIGIN_VERIFY_HEADER } from "./routes";
import { apiSecurityHeaders } from "./securityHeaders";

export const MAX_BODY_BYTES = 64 * 1024;
/** Where a successful sign-in lands. */
export const DASHBOARD_PATH = "/dashboard/";

export type HttpResponse = APIGatewayProxyStructuredResultV2;

export type HttpRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  cookies: Record<string, string>;
  /** The site's own origin (DOCTOWN_SITE_URL, or the forwarded host). */
  siteOrigin: string;
  /** Whether cookies get the Secure flag (dropped only for a plain-http local site). */
  secureCookies: boolean;
  /** The client's address (CloudFront's viewer address on deployed stages), for rate limits. */
  clientIp: string | undefined;
  /** Set-Cookie values the edge adds to the response (e.g. a renewed session). */
  responseCookies: string[];
  rawBody: Buffer | undefined;
};

export type RouteOptions = {
  /** Check Origin on state-changing methods (default true). Off only for server-to-server callers. */
  checkOrigin?: boolean;
  /** Largest accepted body (default MAX_BODY_BYTES); GitHub's webhook payloads need more. */
  maxBodyBytes?: number;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Wraps a handler: parse the event, check the origin, run, map errors. */
export function route(handle: (req: HttpRequest) => Promise<HttpResponse>, options: RouteOptions = {}) {
  return async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    let req: HttpRequest | undefined;
    try {
      await loadSecrets();
      checkViaSite(event);
      req = toRequest(event, options.maxBodyBytes ?? MAX_BODY_BYTES);
      if (options.checkOrigin !== false && !SAFE_METHODS.has(req.method)) checkOrigin(req);
      const response = await handle(req);
      return withCookies(response, req.responseCookies);
    } catch (error) {
      return withCookies(errorResponse(error), req?.responseCookies ?? []);
    }
  };
}

function toRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const method = (event.requestContext?.http?.method ?? "GET").toUpperCase();
  const cookieHeader = event.cookies?.join("; ") ?? headers.cookie ?? "";
  const declaredLength = Number(headers["content-length"] ?? 0);
  if (declaredLength > maxBodyBytes) throw new PayloadTooLarge(`The request body is over ${maxBodyBytes / 1024} KB.`);
  let rawBody: Buffer | undefined;
  if (event.body !== undefined && event.body !== null) {
    rawBody = Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
    if (rawBody.length > maxBodyBytes) throw new PayloadTooLarge(`The request body is over ${maxBodyBytes / 1024} KB.`);
  }
  const siteOrigin = siteOriginOf(headers);
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[name] = value;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) if (value !== undefined) params[name] = value;
  return {
    method,
    path: event.rawPath ?? event.requestContext?.http?.path ?? "/",
    headers,
    query,
    params,
    cookies: parseCookies(cookieHeader),
    siteOrigin,
    secureCookies: !(isLocalStage() && siteOrigin.startsWith("http:")),
    clientIp: clientIpOf(headers, event.requestContext?.http?.sourceIp),
    responseCookies: [],
    rawBody,
  };
}

export { ORIGIN_VERIFY_HEADER };

/**
 * On a deployed stage the API answers only requests that came through the site's distribution:
 * CloudFront adds ORIGIN_VERIFY_HEADER with the stage's value (DOCTOWN_ORIGIN_VERIFY), so the
 * default execute-api URL is useless to anyone calling it directly.
 */
function checkViaSite(event: APIGatewayProxyEventV2) {
  const expected = optionalSetting("DOCTOWN_ORIGIN_VERIFY");
  if (expected === undefined) return;
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === ORIGIN_VERIFY_HEADER)?.[1] ?? "";
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new Forbidden("not_via_site", "Call the API through the Doctown site's address.");
}

/**
 * The site's origin. A deployed stage takes it from configuration (DOCTOWN_SITE_URL, or the
 * distribution's URL the Web stack stores as the SITE_URL parameter), never from a request header:
 * it decides the Origin check and the builder's callback URLs. Only outside Lambda (the local
 * stack, reachable under any host name of this machine, and tests) is it derived from Host.
 */
export function siteOriginOf(headers: Record<string, string>): string {
  const configured = deployedSiteOrigin();
  if (configured) return configured;
  if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) throw new ConfigError("The site's URL is not configured (DOCTOWN_SITE_URL or the SITE_URL parameter of the Web stack).");
  const host = headers["x-forwarded-host"] ?? headers.host;
  if (!host || !HOST.test(host)) throw new BadRequest("invalid_host", "The request has no valid Host header.");
  const allowed = optionalSetting("DOCTOWN_SITE_HOSTS")?.split(",");
  if (allowed && !allowed.includes(host.toLowerCase()))
    throw new BadRequest("invalid_host", `This site answers as ${allowed.join(" or ")}; set DOCTOWN_SITE_URL to serve it under another name.`);
  // Deployed stages are HTTPS only (CloudFront redirects); the local stack serves plain HTTP.
  const protocol = isLocalStage() ? (headers["x-forwarded-proto"] === "https" ? "https" : "http") : "https";
  return `${protocol}://${host.toLowerCase()}`;
}

/**
 * Who is asking, for per-address limits. Behind CloudFront API Gateway sees CloudFront's address;
 * CloudFront sets CloudFront-Viewer-Address (ip:port) from the connection itself, so on deployed
 * stages that header wins. Locally the gateway's socket address is the client's.
 */
export function clientIpOf(headers: Record<string, string>, sourceIp: string | undefined): string | undefined {
  const viewer = headers["cloudfront-viewer-address"];
  if (viewer && !isLocalStage()) {
    const ip = viewer.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    if (/^[0-9A-Fa-f.:]{2,45}$/.test(ip)) return ip;
  }
  return sourceIp || undefined;
}

/** CSRF defence: a state-changing request must carry our own origin (Origin, else Referer). */
function checkOrigin(req: HttpRequest) {
  let origin: string | undefined = req.headers.origin;
  if (!origin && req.headers.referer) {
    try {
      origin = new URL(req.headers.referer).origin;
    } catch {
      origin = undefined;
    }
  }
  if (!origin || origin.toLowerCase() !== req.siteOrigin.toLowerCase())
    throw new Forbidden("origin_mismatch", "This request must come from the Doctown site itself.");
}

export function parseCookies(header: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    if (!(name in cookies)) cookies[name] = part.slice(index + 1).trim();
  }
  return cookies;
}

/** The JSON body, validated by `schema`; malformed or missing bodies are a 400 with a clear code. */
export function jsonBody<T>(req: HttpRequest, schema: z.ZodType<T>): T {
  return schema.parse(rawJson(req));
}

/** The JSON body, unvalidated (core validates it). */
export function rawJson(req: HttpRequest): unknown {
  if (!req.rawBody || req.rawBody.length === 0) throw new BadRequest("missing_body", "The request needs a JSON body.");
  try {
    return JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    throw new BadRequest("invalid_json", "The request body is not valid JSON.");
  }
}

/** The signed-in user's id, or a 401. A renewed session's cookie is added to the response. */
export async function requireUserId(req: HttpRequest): Promise<string> {
  const userId = await optionalUserId(req);
  if (!userId) throw new Unauthorized("unauthorized", "Sign in first.");
  return userId;
}

/** The signed-in user's id, or undefined for an anonymous (or expired) visitor. */
export async function optionalUserId(req: HttpRequest): Promise<string | undefined> {
  const token = req.cookies[SESSION_COOKIE];
  const session = await readSession(token);
  if (!session) return undefined;
  if (session.renewed && token) req.responseCookies.push(sessionCookie(token, session.expiresAt, { secure: req.secureCookies }));
  return session.userId;
}

/** The `Authorization: Bearer <token>` value, if any. */
export function bearerToken(req: HttpRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** A path parameter, which API Gateway guarantees is present for its route. */
export function pathParam(req: HttpRequest, name: string): string {
  const value = req.params[name];
  if (!value) throw new BadRequest("missing_parameter", `The path needs {${name}}.`);
  return value;
}

/** No caching, and the security headers of securityHeaders.ts (HSTS except on the plain-HTTP local stack). */
function baseHeaders(): Record<string, string> {
  let local: boolean;
  try {
    local = isLocalStage();
  } catch {
    local = false; // an ambiguous configuration is reported elsewhere; headers err on the strict side
  }
  return { "cache-control": "no-store", ...apiSecurityHeaders({ hsts: !local }) };
}

export function json(statusCode: number, body: unknown, cookies: string[] = []): HttpResponse {
  return {
    statusCode,
    headers: { ...baseHeaders(), "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(body),
    cookies,
  };
}

export function redirect(location: string, cookies: string[] = []): HttpResponse {
  return { statusCode: 302, headers: { ...baseHeaders(), location }, body: "", cookies };
}

export function noContent(cookies: string[] = []): HttpResponse {
  return { statusCode: 204, headers: baseHeaders(), body: "", cookies };
}

function withCookies(response: HttpResponse, cookies: string[]): HttpResponse {
  if (cookies.length === 0) return response;
  return { ...response, cookies: [...cookies, ...(response.cookies ?? [])] };
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** Maps any thrown value to a response; unknown errors are logged and answered without details. */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof AppError) {
    if (error.status >= 500) console.error(`doctown: ${error.code}: ${error.message}`);
    const response = json(error.status, errorBody(error.code, error.message));
    if (error instanceof RateLimited) response.headers = { ...response.headers, "retry-after": String(error.retryAfterSeconds) };
    return response;
  }
  if (error instanceof z.ZodError) {
    const message = error.issues
      .slice(0, 5)
      .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
      .join("; ");
    // A single offending field names the code (invalid_git_ref, invalid_repo, ...).
    const fields = new Set(error.issues.map((issue) => String(issue.path[0] ?? "")));
    const [field] = fields;
    const code = fields.size === 1 && field && /^[a-z_]{1,40}$/.test(field) ? `invalid_${field}` : "invalid_request";
    return json(400, errorBody(code, message));
  }
  console.error("doctown: unhandled error", error);
  return json(500, errorBody("internal_error", "Something went wrong on our side."));
}
