/** A browser-like client of the simulated site: HTTPS trusting the simulation's CA, a session cookie, Origin on writes. */
import { Agent, fetch as undiciFetch } from "undici";

export type SiteClient = {
  origin: string;
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
