/**
 * symbols.json deflated into a file of its own, with the size and CRC-32 a ZIP entry needs
 * (ZipWriter.addCompressed). On a large repository this is the largest part of packing (~3.5 s of
 * 8 s on 20,000 files), so it runs on a worker thread, reading the symbols extraction left on
 * disk, while this thread writes the pages: the second core is otherwise idle by then.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import { finishSymbol, type SymbolContext } from "./finishSymbol";
import { SymbolStore, type StoredSymbols } from "../extract/symbolStore";
import { symbolsJsonChunks } from "./jsonLines";
import { packJob, type PackWorker, type WorkerJob } from "./workerJob";
import { PieceDeflater } from "./zipWriter";

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

/** Text deflated between turns of the event loop (the pack worker's page batches come in between). */
const PIECE_BYTES = 1024 * 1024;

/** Writes symbols.json deflated to `task.outFile`. */
export async function writeSymbolsFile(task: SymbolsFileTask): Promise<DeflatedFile> {
  const store = new SymbolStore(task.storeFile, "read-only");
  let fd: number | undefined;
  function* symbols() {
    for (const part of task.parts) for (const symbol of store.read(part)) yield finishSymbol(symbol, task.context);
  }
  try {
    fd = openSync(task.outFile, "w");
    const out = fd;
    // Deflated here in pieces, written as they come: a stream through zlib's thread pool cost this
    // thread more than the deflating (~0.4 s on 20,000 files).
    const deflater = new PieceDeflater((bytes) => writeAll(out, bytes), task.level, PIECE_BYTES);
    for (const chunk of symbolsJsonChunks(symbols())) if (deflater.add(chunk)) await nextTurn();
    return { file: task.outFile, ...deflater.finish() };
  } finally {
    if (fd !== undefined) closeSync(fd);
    store.close();
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

/** A worker writing symbols.json; `stop` ends it early (the result then rejects). */
export type SymbolsFileJob = WorkerJob<DeflatedFile>;

/** On the build's pack worker, or (a large build) on a worker of its own. */
export function writeSymbolsFileInWorker(task: SymbolsFileTask, worker?: PackWorker): SymbolsFileJob {
  return packJob("symbols", task, worker);
}
