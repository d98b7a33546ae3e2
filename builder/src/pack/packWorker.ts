/**
 * Worker body for pack's work beside the main thread: one task per worker, given as `workerData`
 * (a PackWorkerTask), answered once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BuildError } from "../errors";
import type { PackWorkerTask } from "./workerJob";
import { writeSourcesFile } from "./sourcesFile";
import { writeSymbolsFile } from "./symbolsFile";

const task = workerData as PackWorkerTask;
const run = task.kind === "symbols" ? writeSymbolsFile(task.task) : writeSourcesFile(task.task);
run.then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({
      error: error instanceof Error ? error.message : String(error),
      code: error instanceof BuildError ? error.code : undefined,
    }),
);
