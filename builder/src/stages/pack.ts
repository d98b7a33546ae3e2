/**
 * pack: writes the docpack ZIP (format v1, see @doctown/core/docpackFormat), streamed to `outFile`.
 * Entries are added in a fixed order with a fixed timestamp and mode, so the same input yields the
 * same bytes; every JSON document is validated against the format's schemas before it is written.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import {
  DOCPACK_PATHS,
  FilesJson,
  Manifest,
  SymbolEntry as SymbolEntrySchema,
  type FileEntry,
  type SymbolEntry,
} from "@doctown/core/docpackFormat";
import { BuildError, throwIfAborted } from "../errors";
import { ZipWriter } from "../pack/zipWriter";

export type PackInput = {
  manifest: Manifest;
  files: FileEntry[];
  /** produced as they are written (never all in memory at once) */
  symbols: Iterable<SymbolEntry>;
  index: string;
  /** file path → markdown page */
  filePages: ReadonlyMap<string, string>;
};

export type PackResult = { outFile: string; bytes: number; sha256: string };

/**
 * symbols.json is by far the largest entry (~120 MB on a 20,000-file repository): level 4 compresses
 * it 2.6x faster than zlib's default 6 for 9 % more bytes on that entry. Pages keep level 6 (small
 * entries: there the level hardly changes the time).
 */
const SYMBOLS_LEVEL = 4;

/** A path inside the ZIP: relative, forward slashes, no `.`/`..` segments, no control characters. */
export function safeZipPath(path: string): string {
  const parts = path.split("/");
  // eslint-disable-next-line no-control-regex
  const bad = path.startsWith("/") || /^[A-Za-z]:/.test(path) || path.includes("\\") || /[\x00-\x1f\x7f]/.test(path) ||
    parts.some((part) => part === "" || part === "." || part === "..");
  if (bad) throw new BuildError("pack_failed", `unsafe path in docpack: ${JSON.stringify(path)}`);
  return path;
}

type Schema<T> = {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
};

function validated<T>(schema: Schema<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? issue.path.map(String).join(".") : "";
  throw new BuildError("invalid_docpack", `${what} does not match the docpack schema at "${where}": ${issue?.message}`);
}

export async function packStage(input: PackInput, outFile: string, signal?: AbortSignal): Promise<PackResult> {
  const manifest = validated(Manifest, input.manifest, DOCPACK_PATHS.manifest);
  const files = validated(FilesJson, input.files, DOCPACK_PATHS.files);
  const pagePaths = [...input.filePages.keys()].sort();
  for (const path of pagePaths) safeZipPath(DOCPACK_PATHS.filePage(path));

  // Write next to the target and rename at the end: no half-written docpack under the real name.
  const partial = `${outFile}.partial-${process.pid}`;
  const output = createWriteStream(partial);
  const zip = new ZipWriter(output);
  const add = (name: string, content: string) => zip.add(safeZipPath(name), content);
  try {
    await add(DOCPACK_PATHS.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    await add(DOCPACK_PATHS.files, `${JSON.stringify(files, null, 2)}\n`);
    await zip.addStream(safeZipPath(DOCPACK_PATHS.symbols), jsonArrayLines(validatedSymbols(input.symbols)), { level: SYMBOLS_LEVEL });
    await add(DOCPACK_PATHS.index, input.index);
    for (const path of pagePaths) {
      throwIfAborted(signal);
      await add(DOCPACK_PATHS.filePage(path), input.filePages.get(path) ?? "");
    }
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
  return { outFile, ...(await hashFile(outFile)) };
}

/**
 * Symbols are checked one by one as they are written (not as a parsed copy): on a large repository
 * there are hundreds of thousands. A bad one fails the pack, which then removes the partial file.
 */
function* validatedSymbols(symbols: Iterable<SymbolEntry>): Generator<SymbolEntry> {
  let i = 0;
  for (const symbol of symbols) {
    validated(SymbolEntrySchema, symbol, `${DOCPACK_PATHS.symbols}[${i++}]`);
    yield symbol;
  }
}

/**
 * One symbol per line (readable, diffable, far smaller than pretty-printed), produced in chunks so
 * the whole document never exists as one string.
 */
function* jsonArrayLines(items: Iterable<unknown>): Generator<string> {
  const CHUNK = 500;
  let lines: string[] = [];
  let first = true;
  for (const item of items) {
    lines.push(JSON.stringify(item));
    if (lines.length === CHUNK) {
      yield `${first ? "[\n" : ",\n"}${lines.join(",\n")}`;
      first = false;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${first ? "[\n" : ",\n"}${lines.join(",\n")}`;
  else if (first) return void (yield "[]\n");
  yield "\n]\n";
}

async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}
