/**
 * Worker body for pack's work beside the main thread: tasks arrive by message (`PackRequest`) and
 * each is answered with its id. Page batches are deflated as soon as they arrive; source/ texts
 * and symbols.json are written meanwhile, giving way to the event loop between their pieces, so a
 * batch never waits for a long task to end.
 */
import { parentPort } from "node:worker_threads";
import { BuildError } from "../errors";
import { deflateBatch } from "./deflateBatch";
import type { PackReply, PackRequest, PackStop } from "./workerJob";
import { writeSourcesFile } from "./sourcesFile";
import { writeSymbolsFile } from "./symbolsFile";

const port = parentPort!;

function failed(id: number, error: unknown): PackReply {
  return { id, error: error instanceof Error ? error.message : String(error), code: error instanceof BuildError ? error.code : undefined };
}

port.on("message", (request: PackRequest | PackStop) => {
  // Exits between tasks (see PackWorker.stop); a task under way ends with the thread.
  if ("stop" in request) return process.exit(0);
  if (request.kind === "deflate") {
    try {
      const result = deflateBatch(request.task.texts, request.task.level);
      // The batch's buffer moves to the main thread: no copy.
      port.postMessage({ id: request.id, result } satisfies PackReply, [result.data]);
    } catch (error) {
      port.postMessage(failed(request.id, error));
    }
    return;
  }
  const run = request.kind === "symbols" ? writeSymbolsFile(request.task) : writeSourcesFile(request.task);
  run.then(
    (result) => port.postMessage({ id: request.id, result } satisfies PackReply),
    (error: unknown) => port.postMessage(failed(request.id, error)),
  );
});
