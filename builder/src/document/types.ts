/** Shorthands for the document stage's input shapes (the contract lives in ../types). */
import type { DocumentInput } from "../types";

export type DocumentFile = DocumentInput["files"][number];
export type DocumentSymbol = DocumentFile["symbols"][number];
