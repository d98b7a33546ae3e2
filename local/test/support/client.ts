/** A browser-like API client for a running local stack: dev sign-in cookie, Origin on writes. */
import type { JobView } from "@doctown/functions/views";
import { FINISHED_STATUSES } from "@doctown/core/job";
import { expect } from "vitest";

export type ApiClient = {
  origin: string;
  cookie: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  getJson<T = Record<string, any>>(path: string): Promise<T>;
};

export async function signIn(origin: string, login = "alice"): Promise<ApiClient> {
  const response = await fetch(`${origin}/auth/dev`, {
    method: "POST",
    headers: { origin, "content-type": "application/json" },
    body: JSON.stringify({ login }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("doctown_session="));
  expect(cookie).toBeTruthy();
  return clientWithCookie(origin, cookie!);
}

export function clientWithCookie(origin: string, cookie: string): ApiClient {
  const client: ApiClient = {
    origin,
    cookie,
    get: (path, init = {}) => fetch(`${origin}${path}`, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } }),
    post: (path, body, headers = {}) =>
      fetch(`${origin}${path}`, {
        method: "POST",
        headers: { origin, cookie, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async getJson(path) {
      const response = await client.get(path);
      expect(response.status, `GET ${path}`).toBe(200);
      return response.json();
    },
  };
  return client;
}

export type { JobView };

/** Polls the job until `done` says so; returns every distinct status/stage/progress seen on the way. */
export async function waitForJob(client: ApiClient, jobId: string, done: (job: JobView) => boolean, timeoutMs = 45_000) {
  const seen: JobView[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.getJson<JobView>(`/api/jobs/${jobId}`);
    const last = seen.at(-1);
    if (!last || last.status !== job.status || last.stage !== job.stage || last.progress !== job.progress) seen.push(job);
    if (done(job)) return { job, seen };
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} (${job.stage}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Tests that run real builds: a cold first build on a busy 2-core machine can take tens of seconds. */
export const BUILD_TEST_TIMEOUT_MS = 90_000;

export const isFinished = (job: JobView) => FINISHED_STATUSES.includes(job.status);
