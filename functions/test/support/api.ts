/**
 * Calls the real handlers the way API Gateway would: route table → handler module → v2 event.
 * Requests come from the test site's origin unless a test overrides the headers.
 */
import { fileURLToPath } from "node:url";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createSession } from "@doctown/core/session";
import { upsertGitHubUser } from "@doctown/core/user";
import { apiEvent, matchRoute } from "./apiEvent";

export const TEST_HOST = "doctown.test";
export const TEST_ORIGIN = `https://${TEST_HOST}`;

export type ApiResponse = {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  json: any;
};

type Handler = (event: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

export async function callApi(
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; headers?: Record<string, string>; isBase64Encoded?: boolean; sourceIp?: string } = {},
): Promise<ApiResponse> {
  const match = matchRoute(method, path.split("?")[0]);
  if (!match) throw new Error(`No route for ${method} ${path}`);
  const modulePath = fileURLToPath(new URL(`../../src/${match.module}.ts`, import.meta.url));
  const { handler } = (await import(/* @vite-ignore */ modulePath)) as { handler: Handler };
  const headers: Record<string, string> = { host: TEST_HOST, origin: TEST_ORIGIN, ...(options.body !== undefined ? { "content-type": "application/json" } : {}) };
  if (options.cookie) headers.cookie = options.cookie;
  Object.assign(headers, options.headers);
  for (const [name, value] of Object.entries(headers)) if (value === "") delete headers[name];
  const result = await handler(apiEvent({ method, path, headers, body: options.body, isBase64Encoded: options.isBase64Encoded, sourceIp: options.sourceIp }));
  const body = result.body ?? "";
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, cookies: result.cookies ?? [], body, json };
}

/** Upserts a GitHub user (with a token the fake GitHub knows) and returns a session cookie header. */
export async function signIn(user: { id: number; login: string; token: string }): Promise<string> {
  await upsertGitHubUser({ id: user.id, login: user.login, name: user.login, avatarUrl: null }, { accessToken: user.token });
  const { token } = await createSession(String(user.id));
  return `doctown_session=${token}`;
}

/** The value a Set-Cookie sets for `name`, if it is among `cookies`. */
export function cookieValue(cookies: string[], name: string): string | undefined {
  const cookie = cookies.find((c) => c.startsWith(`${name}=`));
  return cookie?.slice(name.length + 1).split(";")[0];
}
