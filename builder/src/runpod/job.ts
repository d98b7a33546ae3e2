/**
 * One builder job as a process, for the Python RunPod worker (builder/runpod/handler.py):
 *   stdin   the job input (BuilderInput JSON; never argv: it holds the GitHub token and callback secret)
 *   stdout  JSON lines: { "progress": { stage, percent, message? } } for every report sent to the
 *           API, then exactly one { "output": BuilderJobOutput } or { "error": { code, message } }
 *   exit    0 when the docpack was built, uploaded and reported; 1 on a failure (reported too);
 *           2 when the input could not even be read
 *   SIGTERM (RunPod cancel or timeout) aborts the build; the failure is still reported.
 * Everything else (logs) goes to stderr.
 */
import { Writable } from "node:stream";
import { BuilderJobError, handleBuilderJob, type HandlerDeps } from "./handler";

const MAX_INPUT_BYTES = 1024 * 1024;

export interface JobProcessOptions {
  stdin: AsyncIterable<Buffer | string>;
  stdout: Writable;
  env: Record<string, string | undefined>;
  /** Aborted on SIGTERM. */
  signal?: AbortSignal;
  handlerDeps?: Omit<HandlerDeps, "signal" | "env" | "allowLocalSources">;
}

/** Runs one job; resolves with the process's exit code. */
export async function runJobProcess(options: JobProcessOptions): Promise<number> {
  const line = (value: unknown) => options.stdout.write(`${JSON.stringify(value)}\n`);
  let input: unknown;
  try {
    input = JSON.parse(await readAll(options.stdin));
  } catch (error) {
    line({ error: { code: "invalid_input", message: `the job input is not JSON: ${(error as Error).message}` } });
    return 2;
  }
  try {
    const output = await handleBuilderJob(input, {
      ...options.handlerDeps,
      signal: options.signal,
      env: options.env,
      // The worker image builds remote repositories only, unless its operator says otherwise.
      allowLocalSources: options.env.DOCTOWN_ALLOW_LOCAL_SOURCES === "1",
      reporter: { ...options.handlerDeps?.reporter, onSent: (report) => line({ progress: report }) },
    });
    line({ output });
    return 0;
  } catch (error) {
    const known = error instanceof BuilderJobError;
    line({ error: { code: known ? error.code : "build_failed", message: known ? error.message : "The build failed." } });
    return 1;
  }
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new Error(`over ${MAX_INPUT_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
