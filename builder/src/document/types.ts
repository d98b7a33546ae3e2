/** Shorthands for the document stage's input shapes (the contract lives in ../types). */
import type { DocumentInput } from "../types";

export type DocumentFile = DocumentInput["files"][number];
export type DocumentSymbol = DocumentFile["symbols"][number];

/** The file with its symbols read once (they may come from disk on every access). */
export function withSymbols(file: DocumentFile): DocumentFile {
  return { ...file, symbols: file.symbols };
}
