/**
 * report stage: the builder's callbacks to the API, authorised with the job's callback secret.
 *   POST {callbackUrl}/progress  { stage, percent, message? }  — on every stage change at once,
 *        otherwise throttled, and re-sent as a heartbeat when nothing went out for `heartbeatMs`
 *   POST {callbackUrl}/complete  { status: "succeeded", size, sha256 } | { status: "failed", error }
 * Network errors, 429 and 5xx are retried (core/src/retry.ts: jittered backoff). Nothing here ever throws: a build must
 * not fail because a progress report was lost, and `complete` runs from `finally`.
 */
import { retry } from "@doctown/core/retry";
import { ERROR_CODE_PATTERN, MAX_ERROR_MESSAGE, MAX_PROGRESS_MESSAGE, type CompletionReport, type ProgressReport } from "@doctown/core/protocol";
import type { BuildStage, ProgressEvent } from "../types";

export type { CompletionReport } from "@doctown/core/protocol";

export interface ReporterOptions {
  /** `<API origin>/api/jobs/<id>`; "/progress" and "/complete" are appended. */
  callbackUrl: string;
  secret: string;
  /** Heartbeat period; the API (and Step Functions' heartbeat) expect one at least every 30 s. */
  heartbeatMs?: number;
  /** Minimum time between two progress reports of the same stage. */
  minIntervalMs?: number;
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  /** The API answered 409 to a progress report: the job was cancelled or has finished. */
  onJobNotRunning?: () => void;
  /** Each progress report as it goes out (after throttling): the RunPod worker forwards them. */
  onSent?: (report: ProgressReport) => void;
  log?: (message: string) => void;
}

export interface Reporter {
  progress(event: ProgressEvent): void;
  /** Sends the final report (after any progress in flight); resolves whether or not it arrived. */
  complete(report: CompletionReport): Promise<boolean>;
}

type Stage = BuildStage | "report";

export function createReporter(options: ReporterOptions): Reporter {
  const {
    heartbeatMs = 25_000,
    minIntervalMs = 2_000,
    attempts = 5,
    backoffMs = 500,
    timeoutMs = 10_000,
    log = (message: string) => console.error(message),
  } = options;
  const base = options.callbackUrl.replace(/\/+$/, "");
  let latest: (ProgressReport & { stage: Stage }) | undefined;
  let lastSentStage: Stage | undefined;
  let lastSentAt = 0;
  let trailing: NodeJS.Timeout | undefined;
  let finished = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** A refusal (4xx other than 429): final, not retried. */
  class Refused extends Error {}

  const post = async (path: "progress" | "complete", body: unknown): Promise<boolean> => {
    try {
      return await retry(
        async () => {
          const response = await fetch(`${base}/${path}`, {
            method: "POST",
            headers: { authorization: `Bearer ${options.secret}`, "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(timeoutMs),
          });
          const text = await response.text().catch(() => "");
          if (response.ok) return true;
          if (response.status === 409 && path === "progress") options.onJobNotRunning?.();
          if (response.status !== 429 && response.status < 500) throw new Refused(`refused with HTTP ${response.status}: ${text.slice(0, 200)}`);
          throw new Error(`got HTTP ${response.status}`);
        },
        {
          attempts,
          backoffMs,
          retryable: (error) => !(error instanceof Refused),
          onFailedAttempt: (error, attempt) => {
            if (!(error instanceof Refused)) log(`report: ${path} failed (attempt ${attempt}/${attempts}): ${error.message}`);
          },
        },
      );
    } catch (error) {
      if (error instanceof Refused) log(`report: ${path} ${error.message}`);
      return false;
    }
  };

  // Reports go out one after another, so the API never sees them out of order.
  const enqueue = (path: "progress" | "complete", body: unknown): Promise<boolean> => {
    const sent = queue.then(() => post(path, body));
    queue = sent.catch(() => false);
    return sent;
  };

  const sendLatest = () => {
    clearTimeout(trailing);
    trailing = undefined;
    if (!latest || finished) return;
    lastSentStage = latest.stage;
    lastSentAt = Date.now();
    options.onSent?.(latest);
    void enqueue("progress", latest);
  };

  // Checked five times per period, so the longest silence is 1.2 × heartbeatMs (default 30 s).
  const heartbeat = setInterval(() => {
    if (Date.now() - lastSentAt >= heartbeatMs) sendLatest();
  }, heartbeatMs / 5);
  heartbeat.unref();

  return {
    progress(event) {
      if (finished) return;
      const percent = Math.max(0, Math.min(100, Math.round(event.percent * 10) / 10));
      const message = event.message?.slice(0, MAX_PROGRESS_MESSAGE);
      latest = { stage: event.stage, percent, ...(message ? { message } : {}) };
      const wait = lastSentAt + minIntervalMs - Date.now();
      if (event.stage !== lastSentStage || wait <= 0) sendLatest();
      else if (!trailing) trailing = setTimeout(sendLatest, wait).unref();
    },
    async complete(report) {
      if (finished) return false;
      finished = true;
      clearInterval(heartbeat);
      clearTimeout(trailing);
      try {
        return await enqueue("complete", sanitize(report));
      } catch {
        return false;
      }
    },
  };
}

function sanitize(report: CompletionReport): CompletionReport {
  if (report.status === "succeeded") return report;
  const code = ERROR_CODE_PATTERN.test(report.error.code) ? report.error.code : "build_failed";
  const message = report.error.message.trim().slice(0, MAX_ERROR_MESSAGE) || "The build failed.";
  return { status: "failed", error: { code, message } };
}
