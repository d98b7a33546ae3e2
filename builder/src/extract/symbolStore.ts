/**
 * Where extracted symbols wait between extraction and packing: a spool with one JSON array per
 * source file. A 20,000-file repository yields ~350,000 symbols; as objects in memory they were the
 * largest part of the builder's peak memory, on disk they cost one sequential write and a read or
 * two per file.
 */
import type { ExtractedSymbol } from "../types";
import { Spool, type SpoolRange } from "./spool";

/** One file's symbols in the store. */
export type StoredSymbols = SpoolRange;

export class SymbolStore extends Spool {
  /** One file's symbols, written (Spool.write) as the JSON text of an array. */
  read(stored: StoredSymbols): ExtractedSymbol[] {
    return JSON.parse(this.readText(stored)) as ExtractedSymbol[];
  }

  protected override get label(): string {
    return "symbol store";
  }
}
