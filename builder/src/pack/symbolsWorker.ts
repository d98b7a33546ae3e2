/** Worker body: writes symbols.json for `workerData` (a SymbolsFileTask) and answers once. */
import { parentPort, workerData } from "node:worker_threads";
import { BuildError } from "../errors";
import { writeSymbolsFile, type SymbolsFileTask } from "./symbolsFile";

writeSymbolsFile(workerData as SymbolsFileTask).then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({
      error: error instanceof Error ? error.message : String(error),
      code: error instanceof BuildError ? error.code : undefined,
    }),
);
