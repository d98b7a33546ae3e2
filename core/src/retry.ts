/**
 * Doctown's one retry policy (p-retry), for the API's RunPod client and the builder's uploads,
 * callbacks and webhooks: exponential backoff with jitter, so callers that failed together do not
 * retry together; no wait after the last attempt; an aborted signal ends the wait and the retries
 * at once (its listener removed either way). Pure: the builder imports it from core.
 */
import pRetry from "p-retry";

export type RetryOptions = {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; it doubles for each later one, times a random factor in [1, 2). */
  backoffMs: number;
  /** Cap on one wait. Default 30 s. */
  maxBackoffMs?: number;
  signal?: AbortSignal;
  /** false: the error is final and thrown at once. Default: every error is retried. */
  retryable?: (error: Error) => boolean;
  /** Told of each failed attempt (1-based), the last one included. */
  onFailedAttempt?: (error: Error, attempt: number) => void;
};

/** Runs `attempt` until it resolves, an error is not retryable, or `attempts` are used up (the last error is thrown). */
export function retry<T>(attempt: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  return pRetry(attempt, {
    retries: Math.max(0, options.attempts - 1),
    factor: 2,
    minTimeout: options.backoffMs,
    maxTimeout: options.maxBackoffMs ?? 30_000,
    randomize: true,
    signal: options.signal,
    onFailedAttempt: ({ error, attemptNumber }) => options.onFailedAttempt?.(error, attemptNumber),
    shouldRetry: ({ error }) => options.retryable?.(error) ?? true,
  });
}
