/**
 * Where pack gets symbols.json from: from `workerFrom` symbols on, a worker (the build's pack worker,
 * or one of its own) writes it from the symbol store (with a copy of the summaries the model wrote)
 * while pack writes the pages; below that, pack reads the symbols itself, file by file.
 */
import path from "node:path";
import type { SymbolEntry } from "@doctown/core/docpackFormat";
import type { SymbolStore } from "../extract/symbolStore";
import { finishSymbol, type SymbolContext } from "./finishSymbol";
import type { ExtractedFile } from "../stages/extract";
import type { DocumentOutput } from "../types";
import { writeSymbolsFileInWorker, type SymbolsFileJob } from "./symbolsFile";
import type { PackWorker } from "./workerJob";

/**
 * Below this, a worker's start-up (~0.1 s) costs more than writing symbols.json in this thread
 * (6,000 symbols take ~0.25 s of it, at the very end of pack; in a worker, during the pages).
 */
export const SYMBOLS_WORKER_FROM = 2_000;

export type SymbolSourceOptions = {
  store: SymbolStore;
  workDir: string;
  level: number;
  workerFrom?: number;
  hostUrl?: string;
  /** the build's pack worker, if it has one (else a worker is started for symbols.json alone) */
  worker?: PackWorker;
};

export function symbolSource(
  files: ExtractedFile[],
  docs: DocumentOutput,
  options: SymbolSourceOptions,
): Iterable<SymbolEntry> | SymbolsFileJob {
  const context: SymbolContext = { hostUrl: options.hostUrl, summaries: docs.summaries, packageOf: docs.structure.packageOf, nameIds: docs.structure.nameIds };
  const total = files.reduce((sum, file) => sum + file.symbolCount, 0);
  // A file with symbols but no place in the store would be left out of the worker's symbols.json.
  const allStored = files.every((file) => file.symbolCount === 0 || file.storedSymbols);
  if (!allStored || total < (options.workerFrom ?? SYMBOLS_WORKER_FROM)) return symbolEntries(files, context);
  return writeSymbolsFileInWorker({
    storeFile: options.store.file,
    parts: files.flatMap((file) => (file.storedSymbols ? [file.storedSymbols] : [])),
    context,
    outFile: path.join(options.workDir, "symbols.json.deflate"),
    level: options.level,
  }, options.worker);
}

/** Every symbol with its summary, file by file, read from the store as pack asks for them. */
function* symbolEntries(files: ExtractedFile[], context: SymbolContext): Generator<SymbolEntry> {
  for (const file of files) for (const symbol of file.symbols) yield finishSymbol(symbol, context);
}
