/**
 * An append-only file of texts in the build's work directory: each write returns where its text
 * is, and the text is read back from there when a later stage asks for it. What a large
 * repository would otherwise hold in memory from extraction to packing waits here instead.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";

/** Where one text is in the spool (UTF-8 bytes). */
export type SpoolRange = { offset: number; length: number };

export class Spool {
  private readonly fd: number;
  private size = 0;
  private closed = false;
  /** readText's buffer, reused (grown to the longest text read) */
  private scratch = Buffer.alloc(0);

  /**
   * Creates (or truncates) the file, private to this user; the caller removes it (it lives in a
   * temp directory). `read-only` opens an existing spool to read it (from another thread).
   */
  constructor(
    readonly file: string,
    mode: "create" | "read-only" = "create",
  ) {
    this.fd = mode === "create" ? openSync(file, "w+", 0o600) : openSync(file, "r");
  }

  write(text: string): SpoolRange {
    return this.writeBytes(Buffer.from(text, "utf8"));
  }

  writeBytes(data: Uint8Array): SpoolRange {
    // A closed descriptor's number may already belong to another file.
    if (this.closed) throw new Error(`${this.label} is closed`);
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written, data.length - written, this.size + written);
    const range = { offset: this.size, length: data.length };
    this.size += data.length;
    return range;
  }

  readText(range: SpoolRange): string {
    // Read into one reused buffer: the string is a copy, and a fresh buffer per text was garbage V8
    // let pile up (tens of MB while a large build packs its source/ entries).
    if (this.scratch.length < range.length) this.scratch = Buffer.allocUnsafe(Math.max(range.length, 2 * this.scratch.length, 64 * 1024));
    return this.readInto(range, this.scratch).toString("utf8", 0, range.length);
  }

  /** The text's UTF-8 bytes as written, in a buffer of their own. */
  readBytes(range: SpoolRange): Buffer {
    return this.readInto(range, Buffer.allocUnsafe(range.length));
  }

  private readInto(range: SpoolRange, data: Buffer): Buffer {
    if (this.closed) throw new Error(`${this.label} is closed`);
    let read = 0;
    while (read < range.length) {
      const n = readSync(this.fd, data, read, range.length - read, range.offset + read);
      if (n === 0) throw new Error(`${this.label} is truncated`);
      read += n;
    }
    return data;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** how errors name this spool */
  protected get label(): string {
    return "spool";
  }
}
