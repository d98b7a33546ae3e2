/**
 * symbols.json deflated into a file of its own, with the size and CRC-32 a ZIP entry needs
 * (ZipWriter.addCompressed). On a large repository this is the largest part of packing (~3.5 s of
 * 8 s on 20,000 files), so it runs on a worker thread, reading the symbols extraction left on
 * disk, while this thread writes the pages: the second core is otherwise idle by then.
 */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import { createDeflateRaw, crc32 } from "node:zlib";
import { finishSymbol, type SymbolContext } from "./finishSymbol";
import { SymbolStore, type StoredSymbols } from "../extract/symbolStore";
import { symbolsJsonChunks } from "./jsonLines";
import { packJob, type PackWorker, type WorkerJob } from "./workerJob";

export type SymbolsFileTask = {
  /** the build's SymbolStore file, and where each file's symbols are in it, in docpack order */
  storeFile: string;
  parts: StoredSymbols[];
  /** what finishes each symbol (summaries the model wrote, packages, names for links) */
  context: SymbolContext;
  outFile: string;
  level: number;
};

export type DeflatedFile = { file: string; size: number; crc: number };

/** Writes symbols.json deflated to `task.outFile`. */
export async function writeSymbolsFile(task: SymbolsFileTask): Promise<DeflatedFile> {
  const store = new SymbolStore(task.storeFile, "read-only");
  let size = 0;
  let crc = 0;
  function* symbols() {
    for (const part of task.parts) for (const symbol of store.read(part)) yield finishSymbol(symbol, task.context);
  }
  async function* counted() {
    for (const chunk of symbolsJsonChunks(symbols())) {
      const data = Buffer.from(chunk, "utf8");
      size += data.length;
      crc = crc32(data, crc);
      yield data;
      // The stream reads up to 16 chunks ahead without a turn of the event loop (~50 ms): on the
      // pack worker, page batches waited that long for their turn.
      await nextTurn();
    }
  }
  try {
    await pipeline(counted(), createDeflateRaw({ level: task.level }), createWriteStream(task.outFile));
  } finally {
    store.close();
  }
  return { file: task.outFile, size, crc };
}

/** A worker writing symbols.json; `stop` ends it early (the result then rejects). */
export type SymbolsFileJob = WorkerJob<DeflatedFile>;

/** On the build's pack worker, or (a large build) on a worker of its own. */
export function writeSymbolsFileInWorker(task: SymbolsFileTask, worker?: PackWorker): SymbolsFileJob {
  return packJob("symbols", task, worker);
}
