/**
 * Where extracted symbols wait between extraction and packing: an append-only file in the build's
 * work directory, one JSON array per source file, read back when a later stage asks for that file.
 * A 20,000-file repository yields ~350,000 symbols; as objects in memory they were the largest part
 * of the builder's peak memory, on disk they cost one sequential write and a read or two per file.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import type { ExtractedSymbol } from "../types";

/** One file's symbols in the store. */
export type StoredSymbols = { offset: number; length: number };

export class SymbolStore {
  private readonly fd: number;
  private size = 0;
  private closed = false;

  /**
   * Creates (or truncates) the store file; the caller removes it (it lives in a temp directory).
   * `read-only` opens an existing store to read it (from another thread).
   */
  constructor(
    readonly file: string,
    mode: "create" | "read-only" = "create",
  ) {
    this.fd = mode === "create" ? openSync(file, "w+", 0o600) : openSync(file, "r");
  }

  /** Appends one file's symbols, given as the JSON text of an array. */
  write(json: string): StoredSymbols {
    // A closed descriptor's number may already belong to another file.
    if (this.closed) throw new Error("symbol store is closed");
    const data = Buffer.from(json, "utf8");
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written, data.length - written, this.size + written);
    const stored = { offset: this.size, length: data.length };
    this.size += data.length;
    return stored;
  }

  read(stored: StoredSymbols): ExtractedSymbol[] {
    if (this.closed) throw new Error("symbol store is closed");
    const data = Buffer.allocUnsafe(stored.length);
    let read = 0;
    while (read < stored.length) {
      const n = readSync(this.fd, data, read, stored.length - read, stored.offset + read);
      if (n === 0) throw new Error("symbol store is truncated");
      read += n;
    }
    return JSON.parse(data.toString("utf8")) as ExtractedSymbol[];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
