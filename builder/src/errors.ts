/**
 * Typed builder errors. Every failure the builder expects carries a stable `code` and a one-line
 * message that is safe to show (no tokens, no stack); the entry points (CLI, RunPod handler) map them.
 */
export type BuildErrorCode =
  | "invalid_source"
  | "invalid_ref"
  | "local_not_allowed"
  | "git_failed"
  | "ref_not_found"
  | "commit_mismatch"
  | "timeout"
  | "aborted"
  | "extract_failed"
  | "pack_failed"
  | "invalid_docpack";

export class BuildError extends Error {
  readonly code: BuildErrorCode;
  constructor(code: BuildErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BuildError";
    this.code = code;
  }
}

export function isBuildError(error: unknown): error is BuildError {
  return error instanceof BuildError;
}

/** Throws `aborted` when the signal fired, so long loops can stop between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BuildError("aborted", "build cancelled");
}
