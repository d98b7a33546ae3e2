/**
 * An HTTP server speaking RunPod's serverless API shape, used by the local stack as its "RunPod"
 * (on RunPod itself the builder is the queue worker builder/runpod/handler.py):
 *   POST /v2/{endpointId}/run          { input, webhook? } → { id, status: "IN_QUEUE" }
 *   GET  /v2/{endpointId}/status/{id}  → { id, status, delayTime?, executionTime?, output?, error? }
 *   POST /v2/{endpointId}/cancel/{id}  → { id, status: "CANCELLED" }
 *   GET  /v2/{endpointId}/health       → { jobs: { completed, failed, inProgress, inQueue, retried } }
 *   GET  /ping                         → 200 (a health check; no key)
 * Every /v2 call needs `Authorization: Bearer <apiKey>` (RunPod also accepts the bare key).
 * At most `concurrency` jobs run; the rest wait in order. Cancel aborts a running build, whose
 * handler still reports the failure to the API. Finished jobs are kept 30 minutes, as RunPod does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID, timingSafeEqual, createHash } from "node:crypto";
import * as z from "zod";
import { retry } from "@doctown/core/retry";
import { JobQueue, QueueFullError, type QueuedJob } from "./queue";
import { BuilderJobError, handleBuilderJob, type HandlerDeps } from "./handler";

export interface RunpodServerOptions {
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  apiKey: string;
  /** Builds running at once. Default 1. */
  concurrency?: number;
  /**
   * Jobs waiting for a slot; beyond that /run answers 429 (callers retry later, as with RunPod's
   * own throttling) instead of holding every job's input in memory. Default 100.
   */
  maxWaiting?: number;
  /** When set, other endpoint ids in the path are 404. */
  endpointId?: string;
  env?: Record<string, string | undefined>;
  /** Runs one job (default: the builder's RunPod handler). A seam for queue tests. */
  runJob?: (input: unknown, context: { signal: AbortSignal }) => Promise<unknown>;
  handlerDeps?: Omit<HandlerDeps, "signal" | "env">;
  /** How long finished jobs stay queryable. Default 30 minutes. */
  retainMs?: number;
  log?: (message: string) => void;
}

export interface RunpodServer {
  url: string;
  close(): Promise<void>;
}

const RunRequest = z.object({
  input: z.record(z.string(), z.unknown()),
  webhook: z.string().url().optional(),
});
const MAX_BODY_BYTES = 1024 * 1024;

export async function startRunpodServer(options: RunpodServerOptions): Promise<RunpodServer> {
  if (!options.apiKey) throw new Error("startRunpodServer: an API key is required");
  const log = options.log ?? ((message: string) => console.error(message));
  const runJob =
    options.runJob ??
    ((input, { signal }) =>
      handleBuilderJob(input, { ...options.handlerDeps, signal, env: options.env ?? process.env }).catch((error: unknown) => {
        // RunPod's error is a string; "<code>: <message>" as the Python worker writes it.
        throw error instanceof BuilderJobError ? new Error(`${error.code}: ${error.message}`) : error;
      }));
  const queue = new JobQueue({
    concurrency: options.concurrency ?? 1,
    maxWaiting: options.maxWaiting ?? 100,
    retainMs: options.retainMs ?? 30 * 60_000,
    run: runJob,
    onFinished: (job) => void notifyWebhook(job, log),
  });
  const keyDigest = digest(options.apiKey);

  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      log(`runpod server: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === "/ping") return send(res, 200, { status: "healthy" });
    const match = /^\/v2\/([A-Za-z0-9_-]{1,64})\/(run|status|cancel|health)(?:\/([A-Za-z0-9_-]{1,100}))?$/.exec(path);
    if (!match) return send(res, 404, { error: "not found" });
    if (!authorized(req.headers.authorization, keyDigest)) return send(res, 401, { error: "Unauthorized" });
    const [, endpointId, operation, jobId] = match;
    if (options.endpointId && endpointId !== options.endpointId) return send(res, 404, { error: "endpoint not found" });

    if (operation === "run" && req.method === "POST" && !jobId) {
      const body = await readJson(req);
      const parsed = RunRequest.safeParse(body);
      if (!parsed.success) return send(res, 400, { error: "body must be { input: object, webhook?: url }" });
      try {
        const job = queue.add(randomUUID(), parsed.data.input, parsed.data.webhook);
        return send(res, 200, { id: job.id, status: job.status });
      } catch (error) {
        if (error instanceof QueueFullError) return send(res, 429, { error: error.message });
        throw error;
      }
    }
    if (operation === "status" && req.method === "GET" && jobId) {
      const job = queue.get(jobId);
      return job ? send(res, 200, statusBody(job)) : send(res, 404, { error: "job not found" });
    }
    if (operation === "cancel" && req.method === "POST" && jobId) {
      const job = queue.cancel(jobId);
      return job ? send(res, 200, { id: job.id, status: job.status }) : send(res, 404, { error: "job not found" });
    }
    if (operation === "health" && req.method === "GET" && !jobId) return send(res, 200, queue.health());
    return send(res, 405, { error: "method not allowed" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      queue.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.drained();
    },
  };
}

function statusBody(job: QueuedJob) {
  return {
    id: job.id,
    status: job.status,
    ...(job.startedAt ? { delayTime: job.startedAt - job.createdAt } : {}),
    ...(job.startedAt && job.finishedAt ? { executionTime: job.finishedAt - job.startedAt } : {}),
    ...(job.output !== undefined ? { output: job.output } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}

/** RunPod POSTs the final status to the job's webhook; best effort, a few tries. */
async function notifyWebhook(job: QueuedJob, log: (message: string) => void) {
  if (!job.webhook) return;
  const webhook = job.webhook;
  const delivered = await retry(
    async () => {
      const response = await fetch(webhook, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(statusBody(job)),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return true;
    },
    { attempts: 3, backoffMs: 500 },
  ).catch(() => false);
  if (delivered) return;
  log(`runpod server: webhook for job ${job.id} failed`);
}

function authorized(header: string | undefined, keyDigest: Buffer): boolean {
  if (!header) return false;
  const presented = header.replace(/^Bearer\s+/i, "").trim();
  return timingSafeEqual(digest(presented), keyDigest);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
