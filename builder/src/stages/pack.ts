/**
 * pack: writes the docpack ZIP (format v2, see @doctown/core/docpackFormat), streamed to `outFile`.
 * Entries are added in a fixed order with a fixed timestamp and mode, so the same input yields the
 * same bytes; every JSON document is validated against the format's schemas before it is written.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { DOCPACK_PATHS, FilesJson, Manifest, SearchEntry, SearchIndex, type FileEntry, type SymbolEntry } from "@doctown/core/docpackFormat";
import { BuildError, throwIfAborted } from "../errors";
import { Spool } from "../extract/spool";
import { isSafeRelativePath } from "../safePath";
import { symbolsJsonChunks, validated } from "../pack/jsonLines";
import type { SourcesFileJob } from "../pack/sourcesFile";
import type { SymbolsFileJob } from "../pack/symbolsFile";
import type { Deflater } from "../pack/deflateBatch";
import type { WorkerJob } from "../pack/workerJob";
import { deflatedPieces, ZipWriter, type DeflatedEntry } from "../pack/zipWriter";

export type PackInput = {
  manifest: Manifest;
  files: FileEntry[];
  /**
   * produced as they are written (never all in memory at once), or symbols.json being written
   * meanwhile by a worker (large repositories); pack stops that worker if it fails first
   */
  symbols: Iterable<SymbolEntry> | SymbolsFileJob;
  index: string;
  /** file path → markdown page */
  filePages: ReadonlyMap<string, string>;
  /** prose file path → its page (docs/pages/<path>.md) */
  prosePages?: ReadonlyMap<string, { markdown: string }>;
  /** docpack path (docs/packages/<slug>.md) → package page */
  packagePages?: ReadonlyMap<string, string>;
  llms?: string;
  /** the search index, or search.json already validated and deflated (see deflatedSearch) */
  search?: SearchIndex | DeflatedEntry;
  /** compress pages on the thread pool while this thread renders the next (false: here, in turn) */
  compressOnPool?: boolean;
  /**
   * the build's pack worker: it deflates the pages (strings) in batches, in place of the pool;
   * pack stops it if it fails
   */
  deflater?: Deflater & { stop(): Promise<void> };
  /**
   * each accepted file's (redacted) text, read as it is written (source/<path>), or deflated
   * meanwhile by a worker (pack stops that worker if it fails first)
   */
  sources?: Iterable<{ path: string; content: string }> | SourcesFileJob;
};

export type PackResult = { outFile: string; bytes: number; sha256: string };

/**
 * search.json validated, written and deflated: ~2 MB for a 60,000-entry index that holds ~20 MB
 * as objects. A large build does this as soon as the index exists and lets the objects go, so
 * they are not still in memory while pack runs. Entries are checked one by one and the text is
 * deflated in pieces: a parsed copy of the index, its text and that text's bytes had all been in
 * memory at once, where the 20,000-file build peaked.
 */
export function deflatedSearch(search: SearchIndex): DeflatedEntry {
  const { entries, ...envelope } = search;
  validated(SearchIndex, { ...envelope, entries: [] }, DOCPACK_PATHS.search);
  entries.forEach((entry, i) => validated(SearchEntry, entry, `${DOCPACK_PATHS.search} entries[${i}]`));
  return deflatedPieces(searchJsonPieces(envelope, entries));
}

/** JSON.stringify of the index (entries last) and a newline, an entry at a time. */
function* searchJsonPieces(envelope: Omit<SearchIndex, "entries">, entries: SearchIndex["entries"]): Generator<string> {
  yield `${JSON.stringify(envelope).slice(0, -1)},"entries":[`;
  for (const [i, entry] of entries.entries()) yield `${i > 0 ? "," : ""}${JSON.stringify(entry)}`;
  yield "]}\n";
}

/** `path`, when it may be a ZIP entry's name (see isSafeRelativePath); else pack fails. */
export function safeZipPath(path: string): string {
  if (!isSafeRelativePath(path)) throw new BuildError("pack_failed", `unsafe path in docpack: ${JSON.stringify(path)}`);
  return path;
}

export async function packStage(input: PackInput, outFile: string, signal?: AbortSignal): Promise<PackResult> {
  const fromWorker = isWorkerJob(input.symbols) ? (input.symbols as SymbolsFileJob) : undefined;
  const sourcesJob = input.sources && isWorkerJob(input.sources) ? (input.sources as SourcesFileJob) : undefined;
  // Awaited when needed; a pack that fails stops the workers.
  fromWorker?.result.catch(() => {});
  sourcesJob?.result.catch(() => {});
  try {
    return await writePack(input, fromWorker, outFile, signal);
  } catch (error) {
    await Promise.all([fromWorker?.stop(), sourcesJob?.stop(), input.deflater?.stop()]);
    throw error;
  }
}

async function writePack(input: PackInput, fromWorker: SymbolsFileJob | undefined, outFile: string, signal?: AbortSignal): Promise<PackResult> {
  const manifest = validated(Manifest, input.manifest, DOCPACK_PATHS.manifest);
  const files = validated(FilesJson, input.files, DOCPACK_PATHS.files);
  const pagePaths = [...input.filePages.keys()].sort();
  for (const path of pagePaths) safeZipPath(DOCPACK_PATHS.filePage(path));

  // Write next to the target and rename at the end: no half-written docpack under the real name.
  const partial = `${outFile}.partial-${process.pid}`;
  const output = createWriteStream(partial);
  // Hashed as written: no second read of a docpack that can be tens of megabytes.
  const hash = createHash("sha256");
  let bytes = 0;
  const zip = new ZipWriter(output, {
    poolFromBytes: input.compressOnPool === false ? Number.POSITIVE_INFINITY : undefined,
    deflater: input.deflater,
    onWrite: (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    },
  });
  const add = (name: string, content: string) => zip.add(safeZipPath(name), content);
  try {
    await add(DOCPACK_PATHS.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    // One file per line: readable, and far smaller than pretty-printed.
    await add(DOCPACK_PATHS.files, `[\n${files.map((file) => JSON.stringify(file)).join(",\n")}\n]\n`);
    if (input.llms !== undefined) await add(DOCPACK_PATHS.llms, input.llms);
    if (input.search) {
      const search = "deflated" in input.search ? input.search : deflatedSearch(input.search);
      await zip.addDeflated(DOCPACK_PATHS.search, search);
    }
    await add(DOCPACK_PATHS.index, input.index);
    for (const [path, page] of [...(input.packagePages ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) await add(path, page);
    for (const path of [...(input.prosePages?.keys() ?? [])].sort()) await add(DOCPACK_PATHS.prosePage(path), input.prosePages!.get(path)!.markdown);
    for (const path of pagePaths) {
      throwIfAborted(signal);
      await add(DOCPACK_PATHS.filePage(path), input.filePages.get(path) ?? "");
    }
    if (input.sources && isWorkerJob(input.sources)) await addDeflatedSources(zip, input.sources as SourcesFileJob, signal);
    else {
      for (const file of (input.sources as Iterable<{ path: string; content: string }> | undefined) ?? []) {
        throwIfAborted(signal);
        await add(DOCPACK_PATHS.source(file.path), file.content);
      }
    }
    // Last, so a worker has had the pages' time to write it.
    const symbolsPath = safeZipPath(DOCPACK_PATHS.symbols);
    if (fromWorker) {
      const deflated = await fromWorker.result;
      await zip.addCompressed(symbolsPath, deflated, chunksOf(deflated.file));
    } else await zip.addStream(symbolsPath, symbolsJsonChunks(input.symbols as Iterable<SymbolEntry>));
    await zip.finish();
    await rename(partial, outFile);
  } catch (error) {
    // The file is opened asynchronously: wait until the stream is closed, or the open could
    // create the partial file after it was removed.
    const closed = new Promise<void>((resolve) => (output.closed ? resolve() : output.once("close", () => resolve())));
    output.destroy();
    await closed;
    await rm(partial, { force: true });
    if (error instanceof BuildError) throw error;
    throw new BuildError("pack_failed", `could not write the docpack: ${(error as Error).message}`, { cause: error });
  }
  return { outFile, bytes, sha256: hash.digest("hex") };
}

/**
 * A file's bytes through one reused buffer (ZipWriter.addCompressed writes each chunk before it
 * asks for the next): a fresh buffer per chunk left tens of MB of garbage at the end of a large
 * build's pack, where its peak memory is.
 */
async function* chunksOf(file: string): AsyncGenerator<Uint8Array> {
  const handle = await open(file, "r");
  const buffer = Buffer.allocUnsafe(256 * 1024);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The deflated sources are read this much at a time: one read per entry cost ~30 ms of this thread on 1,900 files. */
const SOURCES_READ_BYTES = 1024 * 1024;

/** The source/ entries a worker deflated, copied from its file in order. */
async function addDeflatedSources(zip: ZipWriter, job: SourcesFileJob, signal?: AbortSignal): Promise<void> {
  const done = await job.result;
  if (done.entries.length !== job.paths.length) throw new BuildError("pack_failed", "the deflated sources do not match the files");
  const deflated = new Spool(done.file, "read-only");
  const total = done.entries.reduce((sum, entry) => sum + entry.compressed, 0);
  try {
    let offset = 0;
    let read = { offset: 0, bytes: Buffer.alloc(0) };
    for (const [i, path] of job.paths.entries()) {
      throwIfAborted(signal);
      const entry = done.entries[i]!;
      if (offset + entry.compressed > read.offset + read.bytes.length) {
        // A buffer of its own each time: the writer may still hold entries of the last one.
        const length = Math.min(Math.max(SOURCES_READ_BYTES, entry.compressed), total - offset);
        read = { offset, bytes: deflated.readBytes({ offset, length }) };
      }
      const at = offset - read.offset;
      await zip.addDeflated(safeZipPath(DOCPACK_PATHS.source(path)), { size: entry.size, crc: entry.crc, deflated: read.bytes.subarray(at, at + entry.compressed) });
      offset += entry.compressed;
    }
  } finally {
    deflated.close();
  }
}

function isWorkerJob<T>(value: Iterable<T> | WorkerJob<unknown>): value is WorkerJob<unknown> {
  return "result" in value && "stop" in value;
}
