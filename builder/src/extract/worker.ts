/**
 * Extraction worker body: answers `{ id, jobs }` with `{ id, results }` (one ExtractResult per job);
 * `{ preload }` starts loading those languages' grammars (no answer).
 */
import { parentPort } from "node:worker_threads";
import { extractFileToJson, type ExtractJob } from "./extractFile";
import { preloadGrammars } from "./treeSitter";

type Request = { id: number; jobs: ExtractJob[] } | { preload: string[] };

parentPort?.on("message", async (request: Request) => {
  if ("preload" in request) return preloadGrammars(request.preload);
  const { id, jobs } = request;
  try {
    const results = [];
    for (const job of jobs) results.push(await extractFileToJson(job));
    parentPort?.postMessage({ id, results });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
