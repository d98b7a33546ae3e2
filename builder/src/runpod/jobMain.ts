/**
 * `node builder/dist/runpod-job.mjs < input.json` (sources: `node --import tsx builder/src/runpod/jobMain.ts`):
 * one builder job for the Python RunPod worker; the protocol is in job.ts.
 */
import { runJobProcess } from "./job";

// stdout carries the protocol's JSON lines only: any stray console.log goes to stderr.
console.log = console.error;
console.info = console.error;

const stopped = new AbortController();
process.once("SIGTERM", () => stopped.abort(new Error("stopped by the worker (cancelled or out of time)")));
// The worker runs this in its own process group; if the worker itself dies (killed, crashed), this
// build is nobody's any more: stop it too (reported as cancelled) rather than run on as an orphan.
const parent = process.ppid;
process.stdout.on("error", () => stopped.abort(new Error("the worker is gone"))); // EPIPE: nobody reads the lines
setInterval(() => {
  if (process.ppid !== parent) stopped.abort(new Error("the worker is gone"));
}, 1_000).unref();

runJobProcess({ stdin: process.stdin, stdout: process.stdout, env: process.env, signal: stopped.signal }).then(
  // Exit at once: the result is written (pipes are synchronous on Linux) and the temp dir removed;
  // a stray timer or socket must not keep the worker's job open.
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`doctown-runpod-job: ${error.message}`);
    process.exit(1);
  },
);
