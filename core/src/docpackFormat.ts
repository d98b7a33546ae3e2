/**
 * Docpack format (README "Docpack format"; JSON Schemas in core/schema/): the pure schema shared by the builder, the API, the
 * viewer and the tests. No I/O here: the builder may import only this module from core.
 *
 * The builder writes format 2. Readers accept 1 and 2: `parseManifest` tells which one a docpack is,
 * and `docpackSchemas(version)` gives the schemas of its JSON documents. Version 2 adds, on top of 1:
 * - manifest: `packages` (one per package manifest found), `repo.host_url` (blob URL base at the
 *   commit, when the host is known), `stats.skipped_extensions`, `paths` (where the v2 entries are);
 * - files.json: every accepted file with its `role`, `kind` (code/prose), the docpack path of its
 *   text (`source`) and of its page (`page`), its package, and (prose) its headings;
 * - symbols.json: `role`, full one-line `signature` (cap SIGNATURE_MAX_CHARS, then "…"), `overload`
 *   (headings show `parent.name` and "overload n", never an id), `source` (docpack path and lines of
 *   the definition, and `url` at the host), a structured `doc` (when the comment has tags), `type_links`;
 *   `summary` only where there is something true to say (a doc comment's first sentence, or the model's);
 * - entries: `source/<path>` (each accepted file's redacted text), `docs/pages/<path>.md` (prose),
 *   `docs/packages/<slug>.md` (package overviews), `llms.txt`, `search.json` (compact index).
 */
import * as z from "zod";
import { COMMIT_PATTERN, SHA256_PATTERN } from "./patterns";

export const DOCPACK_FORMAT = "docpack" as const;
/** The version the builder writes. */
export const DOCPACK_FORMAT_VERSION = 2 as const;
/** The versions readers accept. */
export const DOCPACK_FORMAT_VERSIONS = [1, 2] as const;
/** Signatures are normalised to one line of at most this many characters, then cut with "…". */
export const SIGNATURE_MAX_CHARS = 1000;

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

/**
 * What a file is for. `source` is the code a package ships; the overview, llms.txt and the search
 * index rank it first; tests and examples are kept, apart.
 */
export const FILE_ROLES = ["source", "test", "example", "docs", "config", "generated"] as const;
export const FileRole = z.enum(FILE_ROLES);
export type FileRole = z.infer<typeof FileRole>;

export const DocsMode = z.enum(["llm", "placeholder"]);
const count = z.number().int().nonnegative();
const line = z.number().int().positive();
const commit = z.string().regex(COMMIT_PATTERN);

// ---------------------------------------------------------------------------------------------
// Format 1 (read-only: older docpacks)

export const ManifestV1 = z.object({
  format: z.literal(DOCPACK_FORMAT),
  format_version: z.literal(1),
  name: z.string().min(1),
  repo: z.object({
    full_name: z.string().optional(),
    url: z.string(),
    git_ref: z.string(),
    commit,
  }),
  generated_at: z.iso.datetime(),
  generator: z.object({ name: z.string(), version: z.string() }),
  languages: z.record(z.string(), count),
  stats: z.object({
    files: count,
    symbols: count,
    bytes: count,
    skipped: z.record(z.string(), count),
  }),
  docs: z.object({
    mode: DocsMode,
    model: z.string().optional(),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    /** LLM mode only: files documented with placeholders (token budget used up, unusable answer). */
    placeholder_files: count.optional(),
  }),
});
export type ManifestV1 = z.infer<typeof ManifestV1>;

export const FileEntryV1 = z.object({
  path: z.string().min(1),
  language: z.string(),
  bytes: count,
  lines: count,
  sha256: z.string().regex(SHA256_PATTERN),
  symbols: count,
});
export type FileEntryV1 = z.infer<typeof FileEntryV1>;
export const FilesJsonV1 = z.array(FileEntryV1);

export const SymbolEntryV1 = z.object({
  /** `<file>#<qualified name>`, stable across builds of unchanged code. */
  id: z.string().min(1),
  name: z.string().min(1),
  kind: SymbolKind,
  language: z.string(),
  file: z.string().min(1),
  start_line: line,
  end_line: line,
  signature: z.string(),
  parent: z.string().optional(),
  exported: z.boolean(),
  doc_comment: z.string().optional(),
  summary: z.string(),
});
export type SymbolEntryV1 = z.infer<typeof SymbolEntryV1>;
export const SymbolsJsonV1 = z.array(SymbolEntryV1);

// ---------------------------------------------------------------------------------------------
// Format 2 (written by the builder)

/** One entry point of a package: what it exposes under `name`, implemented by repository file `file`. */
export const EntryPoint = z.object({
  /** "." for the main entry, a subpath export ("./server"), "types", a bin name, a Python module ... */
  name: z.string().min(1),
  /** repository path of the file, when it is in the docpack (else absent, e.g. a built dist file) */
  file: z.string().min(1).optional(),
  /** what the manifest says, verbatim (e.g. "./dist/index.js") */
  target: z.string().optional(),
});
export type EntryPoint = z.infer<typeof EntryPoint>;

export const PACKAGE_ECOSYSTEMS = ["npm", "python", "go", "cargo"] as const;
export const PackageEntry = z.object({
  name: z.string().min(1),
  version: z.string().optional(),
  /** directory of the package manifest, relative to the repository root ("" = the root) */
  path: z.string(),
  /** the manifest file itself (package.json, pyproject.toml, setup.cfg, go.mod, Cargo.toml) */
  manifest: z.string().min(1),
  ecosystem: z.enum(PACKAGE_ECOSYSTEMS),
  description: z.string().optional(),
  entry_points: z.array(EntryPoint),
  /** docpack path of the package's overview page (docs/packages/<slug>.md) */
  page: z.string().min(1),
  /** ids of the symbols the entry points export (following `export … from` chains), in order */
  public_api: z.array(z.string()).optional(),
});
export type PackageEntry = z.infer<typeof PackageEntry>;

export const SearchIndexStats = z.object({ entries: count, omitted: count, max_entries: count });
export type SearchIndexStats = z.infer<typeof SearchIndexStats>;

export const ManifestV2 = ManifestV1.extend({
  format_version: z.literal(2),
  repo: ManifestV1.shape.repo.extend({
    /**
     * Base of the host's URLs for files at this commit, ending in "/" (GitHub:
     * https://github.com/<owner>/<repo>/blob/<commit>/); append a path and "#L<a>-L<b>".
     */
    host_url: z.url().optional(),
  }),
  stats: ManifestV1.shape.stats.extend({
    /** files skipped as unsupported, by lower-case extension ("" = none), e.g. { ".png": 12 } */
    skipped_extensions: z.record(z.string(), count),
    /** files by role */
    roles: z.partialRecord(FileRole, count),
    /** prose files kept as pages */
    pages: count,
    /**
     * search.json: the entries it holds and how many candidates its cap (`max_entries`) left out,
     * the lowest-ranked (absent in docpacks written before it was recorded)
     */
    search_index: SearchIndexStats.optional(),
  }),
  packages: z.array(PackageEntry),
  /** where the format-2 entries are (fixed names; listed so a reader need not know them) */
  paths: z.object({
    llms: z.literal("llms.txt"),
    search: z.literal("search.json"),
    source_prefix: z.literal("source/"),
  }),
});
export type ManifestV2 = z.infer<typeof ManifestV2>;

export const Heading = z.object({
  depth: z.number().int().min(1).max(6),
  text: z.string(),
  /** fragment of the heading in its page (GitHub-style slug) */
  anchor: z.string(),
});
export type Heading = z.infer<typeof Heading>;

export const FileEntryV2 = FileEntryV1.extend({
  role: FileRole,
  /** code: symbols extracted (or none for languages without a grammar); prose: a page of the docs */
  kind: z.enum(["code", "prose"]),
  /** docpack path of the file's (redacted) text: source/<path> */
  source: z.string().min(1),
  /** docpack path of its page: docs/files/<path>.md (code) or docs/pages/<path>.md (prose) */
  page: z.string().min(1),
  /** name of the package the file belongs to (innermost package directory) */
  package: z.string().optional(),
  /** prose: the page's title (first heading, else the file name) and headings */
  title: z.string().optional(),
  headings: z.array(Heading).optional(),
});
export type FileEntryV2 = z.infer<typeof FileEntryV2>;
export const FilesJsonV2 = z.array(FileEntryV2);

export const DocParam = z.object({ name: z.string(), type: z.string().optional(), description: z.string() });
/** A doc comment, taken apart. Markdown fields are the repository's Markdown, sanitised when rendered. */
export const StructuredDoc = z.object({
  /** the doc comment without its tags, Markdown ({@link X} rewritten to links or code spans) */
  markdown: z.string(),
  params: z.array(DocParam).optional(),
  returns: z.string().optional(),
  throws: z.array(z.object({ type: z.string().optional(), description: z.string() })).optional(),
  /** present when deprecated; the reason, possibly "" */
  deprecated: z.string().optional(),
  examples: z.array(z.string()).optional(),
  see: z.array(z.string()).optional(),
  /** {@link X} / @see targets resolved to symbol ids */
  links: z.array(z.object({ text: z.string(), id: z.string() })).optional(),
});
export type StructuredDoc = z.infer<typeof StructuredDoc>;

export const SymbolEntryV2 = SymbolEntryV1.extend({
  role: FileRole,
  /** what a heading shows when it is not `parent.name` (or `name` at the top level); never an id */
  title: z.string().min(1).optional(),
  /** 1-based position among definitions of the same qualified name (overloads), when there are several */
  overload: z.number().int().positive().optional(),
  /** where the definition is: its text in the docpack and, when known, at the host */
  source: z.object({
    path: z.string().min(1),
    start_line: line,
    end_line: line,
    url: z.url().optional(),
  }),
  /** the doc comment taken apart, when it has tags or links; else `doc_comment` is its Markdown */
  doc: StructuredDoc.optional(),
  /** type names in the signature that resolve to a symbol of the repository */
  type_links: z.array(z.object({ name: z.string(), id: z.string() })).optional(),
  package: z.string().optional(),
  /** the doc comment's first sentence, or the model's; absent rather than invented */
  summary: z.string().optional(),
});
export type SymbolEntryV2 = z.infer<typeof SymbolEntryV2>;
export const SymbolsJsonV2 = z.array(SymbolEntryV2);

/**
 * search.json: a compact index the viewer loads whole. `entries` are tuples (names in `fields`),
 * already in rank order for an empty query: package source first, then docs, examples, tests. A
 * reader ranks a query's matches by (exact name, then prefix, then substring), ties by this order.
 */
export const SEARCH_FIELDS = ["name", "kind", "target", "role", "detail"] as const;
export const SearchEntry = z.tuple([
  /** what is matched: a symbol's name, a page's title, a heading's text, a package's name */
  z.string(),
  /** a SymbolKind, or "package", "page", "heading", "file" */
  z.string(),
  /** docpack page path, with "#anchor" for symbols and headings */
  z.string(),
  FileRole,
  /** one line of context: the signature (cut), the file path, the page title */
  z.string(),
]);
export type SearchEntry = z.infer<typeof SearchEntry>;
export const SearchIndex = z.object({
  format: z.literal("docpack-search"),
  version: z.literal(1),
  fields: z.tuple([z.literal("name"), z.literal("kind"), z.literal("target"), z.literal("role"), z.literal("detail")]),
  entries: z.array(SearchEntry),
});
export type SearchIndex = z.infer<typeof SearchIndex>;

// ---------------------------------------------------------------------------------------------
// Current (written) format, and reading either

export const Manifest = ManifestV2;
export type Manifest = ManifestV2;
export const FileEntry = FileEntryV2;
export type FileEntry = FileEntryV2;
export const FilesJson = FilesJsonV2;
export const SymbolEntry = SymbolEntryV2;
export type SymbolEntry = SymbolEntryV2;
export const SymbolsJson = SymbolsJsonV2;

export const AnyManifest = z.discriminatedUnion("format_version", [ManifestV1, ManifestV2]);
export type AnyManifest = z.infer<typeof AnyManifest>;

/** A manifest of either version (throws a ZodError otherwise); `format_version` tells which. */
export function parseManifest(value: unknown): AnyManifest {
  return AnyManifest.parse(value);
}

/** The schemas of the JSON documents of a docpack of this version. */
export function docpackSchemas(version: 1): { manifest: typeof ManifestV1; files: typeof FilesJsonV1; symbols: typeof SymbolsJsonV1 };
export function docpackSchemas(version: 2): { manifest: typeof ManifestV2; files: typeof FilesJsonV2; symbols: typeof SymbolsJsonV2; search: typeof SearchIndex };
export function docpackSchemas(version: 1 | 2) {
  return version === 1
    ? { manifest: ManifestV1, files: FilesJsonV1, symbols: SymbolsJsonV1 }
    : { manifest: ManifestV2, files: FilesJsonV2, symbols: SymbolsJsonV2, search: SearchIndex };
}

/** Paths inside the ZIP. */
export const DOCPACK_PATHS = {
  manifest: "manifest.json",
  files: "files.json",
  symbols: "symbols.json",
  index: "docs/index.md",
  filePage: (path: string) => `docs/files/${path}.md`,
  /** v2 */
  llms: "llms.txt",
  search: "search.json",
  source: (path: string) => `source/${path}`,
  prosePage: (path: string) => `docs/pages/${path}.md`,
  packagePage: (slug: string) => `docs/packages/${slug}.md`,
} as const;

/** The slug of a package's page: its name with anything but [A-Za-z0-9._-] as "-" (scopes: "@a/b" → "a-b"). */
export function packageSlug(name: string): string {
  return name.replace(/^@/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "package";
}

/** JSON Schemas (draft 2020-12) for the JSON documents of a version, for consumers outside TypeScript. */
export function docpackJsonSchemas(version: 1 | 2 = DOCPACK_FORMAT_VERSION) {
  const schemas = docpackSchemas(version as 2) as Record<string, z.ZodType>;
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, z.toJSONSchema(schema)]));
}
