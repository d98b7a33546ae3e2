/** Extraction worker body: answers `{ id, jobs }` with `{ id, results }` (one ExtractResult per job). */
import { parentPort } from "node:worker_threads";
import { extractFileToJson, type ExtractJob } from "./extractFile";

type Request = { id: number; jobs: ExtractJob[] };

parentPort?.on("message", async ({ id, jobs }: Request) => {
  try {
    const results = [];
    for (const job of jobs) results.push(await extractFileToJson(job));
    parentPort?.postMessage({ id, results });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
