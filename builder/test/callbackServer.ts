/**
 * A stand-in for the API's builder callbacks on 127.0.0.1: records every POST
 * (/api/jobs/{id}/progress and /complete) and answers 200, or what a test scripts.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Callback {
  path: string;
  authorization: string | undefined;
  body: any;
  at: number;
}

export async function startCallbackServer(script?: (call: Callback, index: number) => number | undefined) {
  const calls: Callback[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const call: Callback = {
        path: req.url ?? "",
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"),
        at: Date.now(),
      };
      const index = calls.push(call) - 1;
      const status = script?.(call, index) ?? 200;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    calls,
    progress: () => calls.filter((call) => call.path.endsWith("/progress")),
    completes: () => calls.filter((call) => call.path.endsWith("/complete")),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The machine's timer and clock, kept before any test fakes the global ones. */
const realSetTimeout = globalThis.setTimeout;
const now = () => performance.now();

/** Polls on real time, so it also works while a test drives a fake clock. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => realSetTimeout(resolve, 10));
  }
}
