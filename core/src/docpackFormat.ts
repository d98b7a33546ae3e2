/**
 * Docpack format v1 (its JSON Schema: core/schema/; README "Builder"): the pure schema shared by the builder, the API
 * and the tests. No I/O here: the builder may import only this module from core.
 */
import * as z from "zod";

export const DOCPACK_FORMAT = "docpack" as const;
export const DOCPACK_FORMAT_VERSION = 1 as const;

export const SYMBOL_KINDS = [
  "function",
  "class",
  "method",
  "interface",
  "type",
  "enum",
  "struct",
  "trait",
  "module",
  "constant",
  "variable",
  "property",
  "constructor",
] as const;
export const SymbolKind = z.enum(SYMBOL_KINDS);
export type SymbolKind = z.infer<typeof SymbolKind>;

export const DocsMode = z.enum(["llm", "placeholder"]);

export const Manifest = z.object({
  format: z.literal(DOCPACK_FORMAT),
  format_version: z.literal(DOCPACK_FORMAT_VERSION),
  name: z.string().min(1),
  repo: z.object({
    full_name: z.string().optional(),
    url: z.string(),
    git_ref: z.string(),
    commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  }),
  generated_at: z.iso.datetime(),
  generator: z.object({ name: z.string(), version: z.string() }),
  languages: z.record(z.string(), z.number().int().nonnegative()),
  stats: z.object({
    files: z.number().int().nonnegative(),
    symbols: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    skipped: z.record(z.string(), z.number().int().nonnegative()),
  }),
  docs: z.object({
    mode: DocsMode,
    model: z.string().optional(),
    input_tokens: z.number().int().nonnegative().optional(),
    output_tokens: z.number().int().nonnegative().optional(),
    /** LLM mode only: files documented with placeholders (token budget used up, unusable answer). */
    placeholder_files: z.number().int().nonnegative().optional(),
  }),
});
export type Manifest = z.infer<typeof Manifest>;

export const FileEntry = z.object({
  path: z.string().min(1),
  language: z.string(),
  bytes: z.number().int().nonnegative(),
  lines: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  symbols: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof FileEntry>;
export const FilesJson = z.array(FileEntry);

export const SymbolEntry = z.object({
  /** `<file>#<qualified name>`, stable across builds of unchanged code. */
  id: z.string().min(1),
  name: z.string().min(1),
  kind: SymbolKind,
  language: z.string(),
  file: z.string().min(1),
  start_line: z.number().int().positive(),
  end_line: z.number().int().positive(),
  signature: z.string(),
  parent: z.string().optional(),
  exported: z.boolean(),
  doc_comment: z.string().optional(),
  summary: z.string(),
});
export type SymbolEntry = z.infer<typeof SymbolEntry>;
export const SymbolsJson = z.array(SymbolEntry);

/** Paths inside the ZIP. */
export const DOCPACK_PATHS = {
  manifest: "manifest.json",
  files: "files.json",
  symbols: "symbols.json",
  index: "docs/index.md",
  filePage: (path: string) => `docs/files/${path}.md`,
} as const;

/** JSON Schemas (draft 2020-12) for the three JSON documents, for consumers outside TypeScript. */
export function docpackJsonSchemas() {
  return {
    manifest: z.toJSONSchema(Manifest),
    files: z.toJSONSchema(FilesJson),
    symbols: z.toJSONSchema(SymbolsJson),
  };
}
