/**
 * The RunPod job handler: validate the input → build the docpack into a temp dir → PUT it to the
 * presigned URL → report. Progress goes to the API on every stage change (and as a heartbeat);
 * the completion report is ALWAYS sent, from `finally`, with the failure reason when there is one.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as z from "zod";
import { BuilderCallbackFields, BuilderInput, ERROR_CODE_PATTERN, type BuilderJobResult } from "@doctown/core/protocol";
import type { BuildOptions, BuildSummary, ProgressEvent } from "../types";
import { createReporter, type CompletionReport, type ReporterOptions } from "../stages/report";
import { uploadStage, type UploadDeps } from "../stages/upload";

/** The job's result (RunPod's `output`): the protocol's BuilderJobResult, with the manifest's own types. */
export type BuilderJobOutput = BuilderJobResult & {
  stats: BuildSummary["manifest"]["stats"];
  docs: BuildSummary["manifest"]["docs"];
};

export interface HandlerDeps {
  /** Default: buildDocpack from ../build (loaded on first use: it brings the parsers). */
  build?: (options: BuildOptions) => Promise<BuildSummary>;
  /** Environment for the build (LLM keys etc.). Default process.env. */
  env?: Record<string, string | undefined>;
  /** Aborts the build (RunPod cancel). */
  signal?: AbortSignal;
  reporter?: Partial<Omit<ReporterOptions, "callbackUrl" | "secret">>;
  upload?: UploadDeps;
  /**
   * Whether jobs may name a local path / file:// source (input `options.allowLocal`; default no). The local
   * stack's server allows it; the worker image does not unless DOCTOWN_ALLOW_LOCAL_SOURCES=1, so
   * a caller holding the RunPod key still cannot make the worker read its own disk.
   */
  allowLocalSources?: boolean;
  /** Where the job's work directory is made (and removed, on every path). Default os.tmpdir(). */
  workRoot?: string;
  log?: (message: string) => void;
}

/** A failure whose message is safe to show and whose code the API stores. */
export class BuilderJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BuilderJobError";
  }
}

// Upload gets the last 5 %: the build's own percentages are scaled into 0–95.
const BUILD_SHARE = 0.95;

export async function handleBuilderJob(raw: unknown, deps: HandlerDeps = {}): Promise<BuilderJobOutput> {
  const callback = BuilderCallbackFields.safeParse(raw);
  if (!callback.success) {
    throw new BuilderJobError("invalid_input", `invalid job input: ${issues(callback.error)}`);
  }
  const { job_id, callback_url, callback_secret } = callback.data;
  const stopped = new AbortController(); // the API says the job is no longer running
  const signal = deps.signal ? AbortSignal.any([deps.signal, stopped.signal]) : stopped.signal;
  const reporter = createReporter({
    ...deps.reporter,
    callbackUrl: callback_url,
    secret: callback_secret,
    onJobNotRunning: () => stopped.abort(),
    log: deps.log,
  });
  const secrets: string[] = [callback_secret];
  let completion: CompletionReport | undefined;
  let workDir: string | undefined;
  try {
    const parsed = BuilderInput.safeParse(raw); // the protocol: core/src/protocol.ts
    if (!parsed.success) throw new BuilderJobError("invalid_input", `invalid job input: ${issues(parsed.error)}`);
    const input = parsed.data;
    if (input.github_token) secrets.push(input.github_token);
    secrets.push(input.upload_url);

    reporter.progress({ stage: "clone", percent: 0, message: "starting" });
    workDir = await mkdtemp(join(deps.workRoot ?? tmpdir(), "doctown-job-"));
    const build = deps.build ?? (await import("../build")).buildDocpack;
    const summary = await build({
      source: input.repo_url,
      ref: input.git_ref,
      commit: input.commit,
      githubToken: input.github_token,
      outFile: join(workDir, "docpack.zip"),
      llm: input.options?.llm,
      allowLocal: (deps.allowLocalSources ?? false) && (input.options?.allowLocal ?? false),
      fullName: input.options?.fullName ?? githubFullName(input.repo_url),
      onProgress: (event: ProgressEvent) =>
        reporter.progress({ ...event, percent: event.percent * BUILD_SHARE }),
      signal,
      env: deps.env ?? process.env,
    });
    signal.throwIfAborted();
    reporter.progress({ stage: "upload", percent: 95, message: `uploading ${summary.bytes} bytes` });
    await uploadStage(summary.outFile, input.upload_url, { ...deps.upload, signal });
    reporter.progress({ stage: "upload", percent: 100 });
    const { stats, languages } = summary.manifest;
    completion = {
      status: "succeeded",
      size: summary.bytes,
      sha256: summary.sha256,
      stats: { ...stats, languages, duration_ms: Math.round(summary.durationMs) },
    };
    return {
      job_id,
      status: "succeeded",
      size: summary.bytes,
      sha256: summary.sha256,
      commit: summary.commit,
      stats: summary.manifest.stats,
      docs: summary.manifest.docs,
      duration_ms: summary.durationMs,
    };
  } catch (error) {
    const failure = describeFailure(error, signal, secrets);
    completion = { status: "failed", error: failure };
    throw new BuilderJobError(failure.code, failure.message);
  } finally {
    // The docpack is uploaded (or never will be): the work directory goes first, so a worker killed
    // while the completion report is retried leaves nothing behind.
    try {
      if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    } finally {
      await reporter.complete(
        completion ?? { status: "failed", error: { code: "build_failed", message: "The build stopped unexpectedly." } },
      );
    }
  }
}

/** The code and message to report: typed errors keep their code; secrets never leave. */
function describeFailure(error: unknown, signal: AbortSignal, secrets: string[]) {
  if (signal.aborted) return { code: "cancelled", message: "The build was cancelled." };
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: typeof code === "string" && ERROR_CODE_PATTERN.test(code) ? code : "build_failed",
    message: redact(message, secrets).slice(0, 1_000) || "The build failed.",
  };
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  // Presigned query strings (X-Amz-Signature, X-Amz-Credential, …) are credentials too.
  return out.replace(/([?&]X-Amz-[A-Za-z-]+=)[^&\s"']+/g, "$1[redacted]");
}

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
}

/** owner/name for https://github.com/owner/name(.git); undefined otherwise. */
function githubFullName(repoUrl: string): string | undefined {
  const match = /^https:\/\/github\.com\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(repoUrl);
  return match?.[1];
}
