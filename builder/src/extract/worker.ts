/** Extraction worker body: answers `{ id, jobs }` with `{ id, results }` (one symbol list per job). */
import { parentPort } from "node:worker_threads";
import { extractFileSafely, type ExtractJob } from "./extractFile";

type Request = { id: number; jobs: ExtractJob[] };

parentPort?.on("message", async ({ id, jobs }: Request) => {
  try {
    const results = [];
    for (const job of jobs) results.push(await extractFileSafely(job));
    parentPort?.postMessage({ id, results });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
