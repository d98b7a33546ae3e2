/**
 * upload stage: PUT the docpack to a presigned URL, streamed from disk with an exact
 * Content-Length (presigned S3/R2 PUTs refuse chunked bodies). 5xx, 408, 429, timeouts and
 * network errors are retried (core/src/retry.ts: jittered backoff); any other 4xx is final. The presigned URL is a
 * credential: errors name its origin and path, never its query string.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import { retry } from "@doctown/core/retry";

export class UploadError extends Error {
  readonly code = "upload_failed";
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

export interface UploadDeps {
  /** Per attempt, for the whole transfer. Default 10 minutes. */
  timeoutMs?: number;
  /** Default 4. */
  attempts?: number;
  /** Base of the exponential backoff between attempts. Default 1 s. */
  backoffMs?: number;
  signal?: AbortSignal;
}

export interface UploadResult {
  bytes: number;
  attempts: number;
}

export async function uploadStage(
  filePath: string,
  uploadUrl: string,
  deps: UploadDeps = {},
): Promise<UploadResult> {
  const url = parseUploadUrl(uploadUrl);
  const { timeoutMs = 600_000, attempts = 4, backoffMs = 1_000 } = deps;
  const { size } = await stat(filePath);
  let attempted = 0;
  try {
    await retry(
      async (attempt) => {
        attempted = attempt;
        await putOnce(filePath, size, url, timeoutMs, deps.signal).catch((error) => {
          if (deps.signal?.aborted || error instanceof UploadError) throw error;
          throw new UploadError(`upload to ${describe(url)} failed: ${(error as Error).message}`, true);
        });
      },
      { attempts, backoffMs, signal: deps.signal, retryable: (error) => (error as UploadError).retryable === true },
    );
  } catch (error) {
    if (deps.signal?.aborted) throw deps.signal.reason ?? error;
    if (error instanceof UploadError && error.retryable) {
      throw new UploadError(`${error.message} (after ${attempted} attempts)`, false);
    }
    throw error;
  }
  return { bytes: size, attempts: attempted };
}

function parseUploadUrl(uploadUrl: string): URL {
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    throw new UploadError("upload URL is not a valid URL", false);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UploadError(`upload URL must be http(s), not ${url.protocol}`, false);
  }
  return url;
}

async function putOnce(
  filePath: string,
  size: number,
  url: URL,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const req = send(url, {
    method: "PUT",
    headers: { "content-type": "application/zip", "content-length": String(size) },
    signal: requestSignal,
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  try {
    // A server may answer (a refusal) before reading the whole body: the answer wins then, and
    // `finally` stops the transfer.
    const sending = pipeline(createReadStream(filePath), req).catch(() => undefined);
    const res = await response;
    if (res.statusCode && res.statusCode < 300) await sending;
    const body = await readReason(res);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const retryable = status >= 500 || status === 408 || status === 429;
    throw new UploadError(
      `upload to ${describe(url)} answered HTTP ${status}${body ? `: ${body}` : ""}`,
      retryable,
    );
  } catch (error) {
    if (timeout.aborted && !signal?.aborted) {
      throw new UploadError(`upload to ${describe(url)} timed out after ${timeoutMs} ms`, true);
    }
    throw error;
  } finally {
    req.destroy();
  }
}

/**
 * The reason in the response body: S3's <Code>/<Message> when it is S3 error XML (the rest of that
 * XML can echo the signed request), else up to 200 characters.
 */
async function readReason(res: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    if (text.length < 4_000) text += String(chunk);
  }
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,300})<\/Message>/.exec(text)?.[1];
  if (code) return message ? `${code}: ${message}` : code;
  if (text.trimStart().startsWith("<")) return "";
  return text.replace(/\s+/g, " ").trim().slice(0, 200);
}

function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
