/**
 * RunPod serverless client (POST /run, GET /status/{id}, POST /cancel/{id}) with a per-request
 * timeout and retries on 429/5xx (core's one retry policy, retry.ts: jittered backoff). The local
 * stack's builder server speaks the same API shape.
 */
import * as z from "zod";
import { retry } from "./retry";

/** Thrown when RunPod stays unavailable (429/5xx/timeout); the state machine retries on this name. */
export class RunpodUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunpodUnavailable";
  }
}
/** RunPod answered 400 "no capacity" (no worker can be had now): the state machine retries it, longer. */
export class RunpodNoCapacity extends RunpodUnavailable {
  constructor(message: string) {
    super(message);
    this.name = "RunpodNoCapacity";
  }
}
/** RunPod refused the request (4xx other than 429): retrying will not help. */
export class RunpodRejected extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "RunpodRejected";
  }
}

export const RunpodJobState = z.enum(["IN_QUEUE", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"]);
/** RunPod's answer to /run, /status and /cancel (the SDK's local API server answers the same shape). */
export const RunpodJob = z.object({
  id: z.string().min(1),
  status: z.string(),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
});
export type RunpodJob = z.infer<typeof RunpodJob>;

export interface RunpodClient {
  run(input: unknown, options?: { webhook?: string; executionTimeoutMs?: number }): Promise<RunpodJob>;
  status(runpodJobId: string): Promise<RunpodJob>;
  cancel(runpodJobId: string): Promise<RunpodJob>;
}

/** A failure worth another attempt (429, 5xx, no answer); RunpodUnavailable once attempts run out. */
class Transient extends Error {}

export type RunpodClientOptions = {
  apiUrl: string;
  apiKey: string;
  endpointId: string;
  timeoutMs?: number;
  attempts?: number;
  /** Base delay of the jittered exponential backoff between attempts (retry.ts). */
  backoffMs?: number;
};

export function createRunpodClient(options: RunpodClientOptions): RunpodClient {
  const { apiKey, endpointId, timeoutMs = 10_000, attempts = 3, backoffMs = 250 } = options;
  const base = `${options.apiUrl.replace(/\/+$/, "")}/${encodeURIComponent(endpointId)}`;

  async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<RunpodJob> {
    const attempt = async (): Promise<RunpodJob> => {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", accept: "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new Transient(`request failed: ${(error as Error).message}`);
      }
      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel();
        throw new Transient(`HTTP ${response.status}`);
      }
      const text = await response.text();
      if (response.status === 400 && /capacity|no (available )?workers/i.test(text))
        throw new RunpodNoCapacity(`RunPod ${method} ${path} has no capacity now: ${text.slice(0, 200)}`);
      if (!response.ok) throw new RunpodRejected(`RunPod ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 200)}`, response.status);
      try {
        return RunpodJob.parse(JSON.parse(text));
      } catch {
        throw new RunpodRejected(`RunPod ${method} ${path} answered an unexpected body.`, response.status);
      }
    };
    try {
      // Only 429/5xx/network failures are tried again; RunPod's refusals are final at once.
      return await retry(attempt, { attempts, backoffMs, retryable: (error) => error instanceof Transient });
    } catch (error) {
      if (error instanceof Transient) throw new RunpodUnavailable(`RunPod ${method} ${path} unavailable after ${attempts} attempts (${error.message}).`);
      throw error;
    }
  }

  return {
    run(input, runOptions = {}) {
      const body: Record<string, unknown> = { input };
      if (runOptions.webhook) body.webhook = runOptions.webhook;
      if (runOptions.executionTimeoutMs) body.policy = { executionTimeout: runOptions.executionTimeoutMs };
      return call("POST", "/run", body);
    },
    status: (id) => call("GET", `/status/${encodeURIComponent(id)}`),
    cancel: (id) => call("POST", `/cancel/${encodeURIComponent(id)}`),
  };
}
