/**
 * A streamed, deterministic ZIP writer: Node's native zlib compresses each entry and this class lays
 * out the archive (APPNOTE 6.3: local header, data, data descriptor where sizes come after the data,
 * central directory, end record; no ZIP64).
 *
 * Why not archiver: its per-entry pipeline (async queue, crc stream, zlib on the thread pool, one
 * stream hop after another) costs ~0.8 ms of mostly idle time per entry, 1.4 s for a 1,700-page
 * docpack. Why not fflate's streaming Zip (used until format 2): it keeps ~1.1 KB of objects and
 * closures per entry until the central directory is written, ~45 MB of live heap for the 40,000
 * entries of a 20,000-file repository's docpack; here an entry costs its 46-byte central directory
 * record plus its name. Whole entries (pages, sources) are compressed on libuv's thread pool while
 * the caller renders the next ones, a bounded number ahead, and written in the order they were added
 * (one core compresses while the other renders: TanStack/query's pack went from ~0.95 s to ~0.6 s),
 * or, given a `deflater` (the build's pack worker), strings go to it in batches, one message per
 * ~16 entries instead of a zlib object per entry here (pack ~0.65 s → ~0.5 s);
 * large, streamed entries (symbols.json) go through an asynchronous deflate stream. Output is
 * throttled by the destination's back-pressure, so a slow disk or upload never makes us buffer the
 * whole archive.
 */
import { once } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Writable } from "node:stream";
import { promisify } from "node:util";
import { constants as zlibConstants, crc32, createDeflateRaw, deflateRaw, deflateRawSync, type ZlibOptions } from "node:zlib";
import { BuildError } from "../errors";
import type { DeflatedBatch, Deflater } from "./deflateBatch";

/**
 * Every entry carries 2000-01-01 00:00 as a DOS date and time (local time by the format's
 * definition, so a constant: the same bytes in every time zone).
 */
const DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
/** Made by Unix (3), format version 2.0; external attributes: rw-r--r-- regular file in the high 16 bits. */
const MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const EXTERNAL_ATTRS = 0o100644 * 0x10000;
/** ZIP compression method 8. */
const DEFLATE = 8;
/** General purpose flags: bit 3, sizes and CRC in a data descriptor after the data; bit 11, UTF-8 name. */
const SIZES_AFTER = 0x0008;
const UTF8_NAME = 0x0800;
/** The central directory is kept in blocks of this size (one allocation per ~600 entries). */
const DIRECTORY_BLOCK = 64 * 1024;
/**
 * How far `add` may run ahead of the writes: entries compressing or waiting for their turn. Enough
 * to keep the thread pool busy while the caller renders; small enough that memory stays bounded.
 */
export const AHEAD = { entries: 32, bytes: 8 * 1024 * 1024 } as const;
/**
 * With a `deflater`, strings go to it in batches of this many entries or bytes (of text): one
 * message per batch, not per entry. Up to BATCHES_AHEAD batches' worth of entries may wait to be
 * written (AHEAD.bytes bounds their memory): while the other thread is behind (it also writes
 * symbols.json, and may still be deflating the source/ texts), this one deflates the next entries
 * itself instead of waiting for it. With 4, then 16, TanStack/query's pack still waited ~40 ms.
 */
export const BATCH = { entries: 16, bytes: 256 * 1024 } as const;
export const BATCHES_AHEAD = 64;
/**
 * With this many batches sent and not yet answered, the other thread is behind (it also writes
 * symbols.json and the source/ texts): the next entries are deflated here, not queued behind them.
 */
export const BATCHES_WAITING = 2;
/** Below this, a thread-pool round trip costs more than compressing here. */
export const POOL_FROM_BYTES = 2 * 1024;

/**
 * Every entry's deflate level. zlib's fast levels (1-3) cost ~60 % of its default 6 on a docpack's
 * text (pages, source/, the JSON indexes) for ~5 % more bytes, ~0.2 s of CPU on a 2,400-file
 * repository; 3 is the smallest output of the three at the same speed.
 */
export const DEFLATE_LEVEL = 3;

const deflateRawOnPool = promisify(deflateRaw) as (data: Uint8Array, options: ZlibOptions) => Promise<Buffer>;

/** How a whole entry is deflated, here or on another thread (the same bytes either way). */
export function entryDeflateOptions(size: number, level: number): ZlibOptions {
  const windowBits = windowBitsFor(size);
  // zlib's output goes into chunks of this size, and a small entry's result keeps its whole chunk
  // alive: at the default 16 KB, 40,000 entries made ~600 MB of buffers for V8 to collect (tens
  // of MB of them waiting at a large build's peak). Text deflates to well under half its size;
  // more output takes another chunk (the same bytes either way).
  const chunkSize = Math.min(16 * 1024, Math.max(64, (size >> 1) + 64));
  return { level, windowBits, memLevel: memLevelFor(windowBits), chunkSize };
}

/** An entry's deflated bytes with its uncompressed size and CRC-32 (what `addDeflated` takes). */
export type DeflatedEntry = { size: number; crc: number; deflated: Uint8Array };

/** A whole entry deflated as `add` does, with its size and CRC-32: here, or on a thread of its own. */
export function deflatedEntry(data: Uint8Array, level = DEFLATE_LEVEL): DeflatedEntry {
  return { size: data.length, crc: crc32(data), deflated: deflateRawSync(data, entryDeflateOptions(data.length, level)) };
}

/**
 * Text given in pieces, deflated as one entry without ever being one string or buffer. Text is
 * gathered up to `pieceBytes` (of UTF-8), and each such piece deflated by a compressor of its own and
 * sync-flushed (no final block), the last one finished: deflate streams made so follow on from one
 * another as one stream (each piece just refers to nothing before it). `out` takes each piece's
 * deflated bytes, in order.
 */
export class PieceDeflater {
  // As bytes: text joined into one large string would sit in V8's old space until a full collection.
  private gathered: Buffer[] = [];
  private length = 0;
  private size = 0;
  private crc = 0;

  constructor(
    private readonly out: (deflated: Buffer) => void,
    private readonly level = DEFLATE_LEVEL,
    private readonly pieceBytes = 256 * 1024,
  ) {}

  /** Adds text; true when a piece was deflated meanwhile. */
  add(text: string): boolean {
    const bytes = Buffer.from(text, "utf8");
    this.gathered.push(bytes);
    if ((this.length += bytes.length) < this.pieceBytes) return false;
    this.deflate(false);
    return true;
  }

  /** The entry's uncompressed size and CRC-32, once the last piece is out. */
  finish(): { size: number; crc: number } {
    this.deflate(true);
    return { size: this.size, crc: this.crc };
  }

  private deflate(last: boolean): void {
    const data = this.gathered.length === 1 ? this.gathered[0]! : Buffer.concat(this.gathered, this.length);
    this.gathered = [];
    this.length = 0;
    this.size += data.length;
    this.crc = crc32(data, this.crc);
    this.out(deflateRawSync(data, { level: this.level, finishFlush: last ? zlibConstants.Z_FINISH : zlibConstants.Z_SYNC_FLUSH }));
  }
}

/** Text given in pieces, deflated as one entry in memory (see PieceDeflater). */
export function deflatedPieces(pieces: Iterable<string>, level = DEFLATE_LEVEL): DeflatedEntry {
  const deflated: Buffer[] = [];
  const deflater = new PieceDeflater((bytes) => deflated.push(bytes), level);
  for (const piece of pieces) deflater.add(piece);
  return { ...deflater.finish(), deflated: Buffer.concat(deflated) };
}

/**
 * The smallest deflate window that still spans the whole entry: same compression, but zlib's set-up
 * (allocating and clearing a 32 KB window's tables) stops dominating small entries. 1,700 typical
 * pages: 167 ms at the default window, 52 ms with this. (262 = zlib's minimum lookahead.)
 */
function windowBitsFor(size: number): number {
  return Math.max(9, Math.min(15, Math.ceil(Math.log2(size + 262))));
}

/** A hash table to match the window (zlib's default 8 for a full window): less to allocate per entry. */
function memLevelFor(windowBits: number): number {
  return Math.max(1, Math.min(8, windowBits - 7));
}

/**
 * What a ZIP without ZIP64 (this writer writes none) can describe: entry counts are 16-bit and sizes and
 * offsets 32-bit, and the all-ones values mean "see the ZIP64 record". Past these a reader would
 * see a corrupt archive; the writer refuses with `pack_failed` instead.
 */
export const ZIP_LIMITS = {
  /** Entries in the archive (0xFFFF is the ZIP64 marker). */
  entries: 0xfffe,
  /** Bytes of one entry, uncompressed, and of the whole archive (every offset and compressed size fits then). */
  bytes: 0xfffffffe,
} as const;

export type ZipWriterOptions = {
  level?: number;
  /**
   * whole entries from this size on are compressed on the thread pool (default POOL_FROM_BYTES);
   * `Infinity` compresses every one in the calling thread, for when other threads already keep
   * every core busy (there the pool's threads only take time from this one)
   */
  poolFromBytes?: number;
  /** deflates whole string entries elsewhere, in batches (the same bytes as here); the pool is not used then */
  deflater?: Deflater;
  /** sees every byte of the archive, in order, as it is written (e.g. to hash it) */
  onWrite?: (chunk: Uint8Array) => void;
  /** Lower limits than the format's (tests reach them without writing 4 GiB). */
  limits?: Partial<Record<keyof typeof ZIP_LIMITS, number>>;
  /** Other batch sizes than BATCH (tests reach the other limits with a batch still gathering). */
  batch?: Partial<Record<keyof typeof BATCH, number>>;
};

export class ZipWriter {
  private readonly level: number;
  private readonly poolFromBytes: number;
  /** Strings compressed in this thread are encoded here, one after another. */
  private scratch = Buffer.alloc(0);
  private readonly limits: { entries: number; bytes: number };
  private readonly onWrite: ((chunk: Uint8Array) => void) | undefined;
  /** The central directory's records so far, packed into blocks (what is used of each), written by finish. */
  private readonly directory: Array<{ block: Buffer; used: number }> = [];
  private directoryBytes = 0;
  private entries = 0;
  private written = 0;
  private failure: Error | undefined;
  private readonly deflater: Deflater | undefined;
  private readonly aheadEntries: number;
  private readonly batchLimits: { entries: number; bytes: number };
  /** Strings waiting to be sent to the deflater as one batch (each entry already queued in turn). */
  private batch: ReturnType<typeof newBatch> | undefined;
  private batchesOut = 0;
  private hereSinceTurn = 0;
  /** Entries queued so far (each one's number, in turn). */
  private queued = 0;

  constructor(
    private readonly output: Writable,
    options: ZipWriterOptions = {},
  ) {
    this.level = options.level ?? DEFLATE_LEVEL;
    this.poolFromBytes = options.poolFromBytes ?? POOL_FROM_BYTES;
    this.limits = { ...ZIP_LIMITS, ...options.limits };
    this.onWrite = options.onWrite;
    this.deflater = options.deflater;
    this.batchLimits = { ...BATCH, ...options.batch };
    this.aheadEntries = this.deflater ? this.batchLimits.entries * BATCHES_AHEAD : AHEAD.entries;
    output.on("error", (error: Error) => (this.failure ??= error));
  }

  /** Entries added but not yet written, oldest first, with the bytes they hold. */
  private readonly ahead: Array<{ written: Promise<void>; bytes: number }> = [];
  private aheadBytes = 0;
  /** The last queued write: each entry's bytes follow the previous entry's. */
  private lastWrite: Promise<void> = Promise.resolve();

  /**
   * Adds one entry whose whole content is at hand. It is compressed meanwhile and written in turn:
   * this resolves once the entry is queued (or when too much is queued, once enough is written);
   * `flush` waits for every queued entry. A failure is reported by the next call.
   */
  async add(name: string, content: string | Uint8Array): Promise<void> {
    const toDeflater = this.deflater !== undefined && typeof content === "string";
    if (toDeflater && (this.batch || this.batchesOut < BATCHES_WAITING)) return this.addBatched(name, content);
    this.throwIfFailed();
    const size = typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.length;
    this.checkEntrySize(name, size);
    // With a deflater, the pool's threads would only take time from it and from this one.
    if (size < this.poolFromBytes || toDeflater) {
      // Compressed here and now: a string's bytes go through one reused buffer, not a new one per
      // entry (40,000 of them on a large build, garbage V8 let pile up to ~45 MB before collecting).
      const data = typeof content === "string" ? this.encoded(content, size) : content;
      await this.enqueue(name, size, Promise.resolve(deflatedEntry(data, this.level)));
      // Deflating here because the deflater seemed behind: let its answers in now and then, or
      // this thread would never see it catch up.
      if (toDeflater && ++this.hereSinceTurn >= this.batchLimits.entries) {
        this.hereSinceTurn = 0;
        await nextTurn();
      }
      return;
    }
    // The pool reads the bytes later: they must be this entry's own.
    const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const crc = crc32(data);
    await this.enqueue(name, size, deflateRawOnPool(data, entryDeflateOptions(size, this.level)).then((deflated) => ({ crc, size, deflated })));
  }

  /** A string entry for the deflater: it joins the batch being gathered, which is sent when full. */
  private async addBatched(name: string, text: string): Promise<void> {
    this.throwIfFailed();
    // Its size in bytes is known once deflated (checked then); UTF-16 units are close enough to bound what is ahead.
    if (text.length * 3 > this.limits.bytes) this.checkEntrySize(name, Buffer.byteLength(text, "utf8"));
    const batch = (this.batch ??= newBatch(this.queued));
    const i = batch.texts.push(text) - 1;
    batch.bytes += text.length;
    const deflated = batch.result.then((entries) => entries[i]!);
    const full = batch.texts.length >= this.batchLimits.entries || batch.bytes >= this.batchLimits.bytes;
    if (full) this.sendBatch();
    await this.enqueue(name, text.length, deflated);
    // A caller that adds without waiting for anything never lets this thread's event loop take the
    // deflater's answers (nor write them out): they would seem late, and the next entries be
    // deflated here while the other thread sits idle.
    if (full) await nextTurn();
  }

  /** Sends the batch being gathered, if any: anything that waits for queued entries must do so first. */
  private sendBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    this.batchesOut++;
    const answered = this.deflater!.deflate(batch.texts, this.level);
    void answered.then(
      () => this.batchesOut--,
      () => this.batchesOut--,
    );
    batch.send(answered.then(entriesOf));
  }

  /** `text` as UTF-8 in the reused buffer (valid until the next call). */
  private encoded(text: string, size: number): Buffer {
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, 2 * this.scratch.length, 64 * 1024));
    this.scratch.write(text, 0, size, "utf8");
    return this.scratch.subarray(0, size);
  }

  /** Adds one whole entry deflated elsewhere as `deflatedEntry` does (raw deflate); queued like `add`. */
  async addDeflated(name: string, entry: DeflatedEntry): Promise<void> {
    this.throwIfFailed();
    this.checkEntrySize(name, entry.size);
    this.sendBatch();
    await this.enqueue(name, entry.size, Promise.resolve(entry));
  }

  /**
   * Queues an entry's write after the previous ones; waits while too much is queued. `bytes`
   * (about its size) bounds what is ahead; its exact size comes with its deflated bytes.
   */
  private async enqueue(name: string, bytes: number, deflated: Promise<DeflatedEntry>): Promise<void> {
    deflated.catch(() => {}); // a failure is taken up in turn, below (or the entry is refused first)
    const entry = this.entry(name);
    this.queued++;
    const written = this.lastWrite.then(async () => {
      const { size, crc, deflated: compressed } = await deflated;
      if (this.failure) return;
      this.checkEntrySize(name, size);
      // Sizes known up front: in the local header, no data descriptor.
      Object.assign(entry, { size, crc, offset: this.written, compressed: compressed.length });
      this.write(localHeader(entry));
      this.write(compressed);
      this.recordEntry(entry);
      await this.drained();
    });
    // Every failure ends up in `failure` (reported by the next call), never as an unhandled rejection.
    this.lastWrite = written.catch((error: Error) => void (this.failure ??= error));
    this.ahead.push({ written: this.lastWrite, bytes });
    this.aheadBytes += bytes;
    while (this.ahead.length > this.aheadEntries || this.aheadBytes > AHEAD.bytes) {
      // The oldest entry may be in the batch still being gathered: it must be on its way first
      // (and only then: a batch sent early is a small one).
      if (this.batch && this.queued - this.ahead.length >= this.batch.first) this.sendBatch();
      const oldest = this.ahead.shift()!;
      await oldest.written;
      this.aheadBytes -= oldest.bytes;
    }
    this.throwIfFailed();
  }

  /** Waits until every entry added so far is written (or the writer failed: then throws). */
  async flush(): Promise<void> {
    this.sendBatch();
    await this.lastWrite;
    this.ahead.length = 0;
    this.aheadBytes = 0;
    this.throwIfFailed();
  }

  /** Adds one entry from chunks produced on demand (never held whole). */
  async addStream(
    name: string,
    chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
    options: ZipWriterOptions = {},
  ): Promise<void> {
    await this.flush();
    const entry = this.entry(name, SIZES_AFTER);
    this.write(localHeader(entry));
    const deflate = createDeflateRaw({ level: options.level ?? this.level });
    const compressed = (async () => {
      for await (const chunk of deflate) {
        entry.compressed += (chunk as Buffer).length;
        this.write(chunk as Buffer);
        await this.drained();
      }
    })();
    try {
      for await (const piece of chunks) {
        const data = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
        entry.size += data.length;
        this.checkEntrySize(name, entry.size);
        entry.crc = crc32(data, entry.crc);
        if (!deflate.write(data)) await once(deflate, "drain");
        this.throwIfFailed();
      }
      deflate.end();
      await compressed;
    } catch (error) {
      // The reader loop rejects once the stream is destroyed: that is this failure, already thrown.
      compressed.catch(() => {});
      deflate.destroy();
      throw this.failure ?? error; // the destination's own error, not the teardown it caused
    }
    this.finishEntry(entry);
    await this.drained();
  }

  /**
   * Adds one entry deflated elsewhere (raw deflate), given its uncompressed size and CRC-32. Each
   * chunk is written before the next is asked for, so the source may reuse one buffer for all.
   */
  async addCompressed(name: string, meta: { size: number; crc: number }, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    await this.flush();
    this.checkEntrySize(name, meta.size);
    const entry = this.entry(name, SIZES_AFTER);
    this.write(localHeader(entry));
    for await (const chunk of chunks) {
      entry.compressed += chunk.length;
      await new Promise<void>((resolve) => this.write(chunk, resolve));
      this.throwIfFailed();
    }
    Object.assign(entry, { size: meta.size, crc: meta.crc });
    this.finishEntry(entry);
    await this.drained();
  }

  /** Writes the central directory and ends the output; resolves when the output is flushed. */
  async finish(): Promise<void> {
    await this.flush();
    const start = this.written;
    for (const { block, used } of this.directory) this.write(block.subarray(0, used));
    this.write(endRecord(this.entries, this.directoryBytes, start));
    this.throwIfFailed();
    const closed = once(this.output, "finish");
    this.output.end();
    await closed;
    this.throwIfFailed();
  }

  private entry(name: string, flags = 0): Entry {
    if (this.entries >= this.limits.entries) {
      throw (this.failure = tooLarge(`it would hold more than ${this.limits.entries.toLocaleString("en-US")} files`));
    }
    this.entries++;
    const nameBytes = Buffer.from(name, "utf8");
    return { name: nameBytes, flags: flags | (nameBytes.length === name.length ? 0 : UTF8_NAME), offset: this.written, crc: 0, size: 0, compressed: 0 };
  }

  /** The data descriptor after a streamed entry's data, then its central directory record. */
  private finishEntry(entry: Entry): void {
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc >>> 0, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    this.write(descriptor);
    this.recordEntry(entry);
  }

  private recordEntry(entry: Entry): void {
    const size = 46 + entry.name.length;
    let last = this.directory.at(-1);
    if (!last || last.used + size > last.block.length) this.directory.push((last = { block: Buffer.alloc(Math.max(DIRECTORY_BLOCK, size)), used: 0 }));
    writeDirectoryRecord(entry, last.block, last.used);
    last.used += size;
    this.directoryBytes += size;
  }

  /** Every byte of the archive goes through here: counted, limited, seen by onWrite, written. */
  /** `written`: called once the destination has taken the chunk (or it failed, or was not written). */
  private write(chunk: Uint8Array, written?: () => void): void {
    if (this.failure || chunk.length === 0) return written?.();
    // Offsets past 4 GiB cannot be written: stop before the destination gets any such byte.
    if (this.written + chunk.length > this.limits.bytes) {
      this.failure = tooLarge(`the archive would exceed ${formatBytes(this.limits.bytes)}`);
      return written?.();
    }
    this.written += chunk.length;
    this.onWrite?.(chunk);
    this.output.write(chunk, (error) => {
      if (error) this.failure ??= error;
      written?.();
    });
  }

  /** Waits while the destination's buffer is full (or until it closes or fails). */
  private async drained(): Promise<void> {
    const output = this.output;
    if (output.writableNeedDrain && !output.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          output.off("drain", done).off("close", done).off("error", done);
          resolve();
        };
        output.on("drain", done).on("close", done).on("error", done);
      });
    }
    this.throwIfFailed();
  }

  private checkEntrySize(name: string, size: number): void {
    if (size > this.limits.bytes) throw (this.failure = tooLarge(`${name} would exceed ${formatBytes(this.limits.bytes)}`));
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

function tooLarge(reason: string): BuildError {
  return new BuildError("pack_failed", `the docpack is too large for a ZIP file: ${reason}`);
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${bytes.toLocaleString("en-US")} bytes`;
}

/**
 * A batch of strings for the deflater; `send` gives it the deflater's answer once it is sent;
 * `first`: the number (ZipWriter.queued) its first entry is queued as.
 */
function newBatch(first: number): { first: number; texts: string[]; bytes: number; result: Promise<DeflatedEntry[]>; send(result: Promise<DeflatedEntry[]>): void } {
  let send!: (result: Promise<DeflatedEntry[]>) => void;
  const result = new Promise<DeflatedEntry[]>((resolve) => (send = resolve));
  result.catch(() => {}); // taken up by each entry's write
  return { first, texts: [], bytes: 0, result, send };
}

/** The deflater's answer as one entry each, views of its one buffer. */
function entriesOf({ data, entries }: DeflatedBatch): DeflatedEntry[] {
  let offset = 0;
  return entries.map(({ size, crc, compressed }) => {
    const deflated = new Uint8Array(data, offset, compressed);
    offset += compressed;
    return { size, crc, deflated };
  });
}

type Entry = { name: Buffer; flags: number; offset: number; crc: number; size: number; compressed: number };

function localHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(30 + entry.name.length);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(entry.flags, 6);
  header.writeUInt16LE(DEFLATE, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  // With a data descriptor these stay 0 here (the sizes follow the data).
  header.writeUInt32LE(entry.crc >>> 0, 14);
  header.writeUInt32LE(entry.compressed, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  entry.name.copy(header, 30);
  return header;
}

function writeDirectoryRecord(entry: Entry, record: Buffer, at: number): void {
  record.writeUInt32LE(0x02014b50, at);
  record.writeUInt16LE(MADE_BY, at + 4);
  record.writeUInt16LE(VERSION_NEEDED, at + 6);
  record.writeUInt16LE(entry.flags, at + 8);
  record.writeUInt16LE(DEFLATE, at + 10);
  record.writeUInt16LE(DOS_TIME, at + 12);
  record.writeUInt16LE(DOS_DATE, at + 14);
  record.writeUInt32LE(entry.crc >>> 0, at + 16);
  record.writeUInt32LE(entry.compressed, at + 20);
  record.writeUInt32LE(entry.size, at + 24);
  record.writeUInt16LE(entry.name.length, at + 28);
  // extra field, comment, disk number start, internal attributes: all 0 (bytes 30–37)
  record.writeUInt32LE(EXTERNAL_ATTRS, at + 38);
  record.writeUInt32LE(entry.offset, at + 42);
  entry.name.copy(record, at + 46);
}

function endRecord(entries: number, directoryBytes: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(directoryBytes, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}
