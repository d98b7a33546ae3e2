/**
 * The docpack's structure beyond per-file pages, the same in placeholder and LLM mode: prose pages,
 * packages with their public API and overview pages, the overview (the README as its introduction),
 * llms.txt and the search index. One pass reads every file's symbols once.
 */
import GithubSlugger from "github-slugger";
import { DOCPACK_PATHS, SEARCH_FIELDS, type PackageEntry, type SearchEntry, type SearchIndex, type SearchIndexStats } from "@doctown/core/docpackFormat";
import { isProse } from "../scan/languages";
import { fileRole, ROLE_RANK } from "../scan/roles";
import { discoverPackages, packageOfFile } from "../packages/discover";
import { publicApi } from "../packages/publicApi";
import type { ExtractedSymbol, ProsePage } from "../types";
import type { DocumentFile } from "./types";
import { codeBlock, escapeText, firstSentence, inlineCode } from "./markdown";
import { docSections, sortSymbols, symbolHeading } from "./placeholder";
import { prosePage } from "./prose";
import { typesLine, type Definitions, type NameContext } from "./typeLinks";

const TYPE_KINDS = new Set(["class", "interface", "type", "enum", "struct", "trait"]);

/**
 * search.json holds at most this many entries, the best-ranked (a 20,000-file repository has
 * ~350,000 symbols: all of them held as entries took ~300 MB during the build).
 */
export const MAX_SEARCH_ENTRIES = 60_000;
const MAX_KEY_SYMBOLS = 300;

/** Items by rank, keeping only the best `max` in all (ties: first added). */
class RankedBuckets<T> {
  private readonly buckets = new Map<number, T[]>();
  private size = 0;
  /** items offered in all, kept or not */
  offered = 0;
  constructor(private readonly max: number) {}
  /** Adds the item `make` gives, if one of this rank could still be kept (else it is not made). */
  offer(rank: number, make: () => T): void {
    this.offered++;
    if (this.wants(rank)) this.add(rank, make());
  }
  add(rank: number, item: T): void {
    let bucket = this.buckets.get(rank);
    if (!bucket) this.buckets.set(rank, (bucket = []));
    bucket.push(item);
    if (++this.size > 2 * this.max) this.trim();
  }
  /** Whether an item of this rank could still be kept (so it need not be made). */
  wants(rank: number): boolean {
    if (this.size < this.max) return true;
    let better = 0;
    for (const [key, bucket] of this.buckets) if (key <= rank) better += bucket.length;
    return better < this.max;
  }
  private trim(): void {
    let kept = 0;
    for (const key of [...this.buckets.keys()].sort((a, b) => a - b)) {
      const bucket = this.buckets.get(key)!;
      if (kept >= this.max) this.buckets.delete(key);
      else if (kept + bucket.length > this.max) bucket.length = this.max - kept;
      kept += Math.min(bucket.length, this.max);
    }
    this.size = Math.min(kept, this.max);
  }
  items(): T[] {
    return [...this.buckets.keys()].sort((a, b) => a - b).flatMap((key) => this.buckets.get(key)!).slice(0, this.max);
  }
}
const MAX_API_LISTED = 400;

export type Structure = {
  prosePages: Map<string, ProsePage>;
  packages: PackageEntry[];
  packagePages: Map<string, string>;
  /** the root README's page, if any: the overview's introduction */
  readme?: { path: string; markdown: string };
  /** repository file path → package name */
  packageOf: Map<string, string>;
  /** name → ids of its exported top-level definitions (package APIs first), for type links and {@link} */
  nameIds: Map<string, string[]>;
  /** where each definition in nameIds is (file and anchor), for the type links on pages */
  definitions: Definitions;
  /** how many entries search.json holds, and how many its cap left out */
  searchStats: SearchIndexStats;
  /** the most important exported symbols (package APIs first), for the overview and llms.txt */
  keySymbols: KeySymbol[];
  /** each package's public API and README text (for the model's overviews) */
  apis: Array<{ pkg: PackageEntry; api: ExtractedSymbol[]; readme?: string }>;
  /** a package's page again, with the model's overview (sanitised Markdown) */
  packagePageWith: (pkg: PackageEntry, overview: string) => string;
};

/** A key symbol with its role and the anchor of its heading on its file page. */
export type KeySymbol = ExtractedSymbol & { anchor: string };

/** Anchor of each symbol's heading on its file page (github-slugger, in page order). */
export function symbolAnchors(path: string, symbols: ExtractedSymbol[]): Map<string, string> {
  const slugger = new GithubSlugger();
  // The headings above the symbols: the same on placeholder and model-written pages.
  for (const heading of [path, "Symbols"]) slugger.slug(heading);
  return new Map(sortSymbols(symbols).map((symbol) => [symbol.id, slugger.slug(symbolHeading(symbol))]));
}

export type StructureOptions = {
  /** search.json keeps at most this many entries, the best-ranked (default MAX_SEARCH_ENTRIES) */
  maxSearchEntries?: number;
};

/**
 * The structure, and apart from it the search index: the structure stays with the pages until pack
 * ends, the index (~20 MB on a large repository) only until search.json is written.
 */
export function buildStructure(files: DocumentFile[], options: StructureOptions = {}): { structure: Structure; search: SearchIndex } {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const exportedCache = new Map<string, ExtractedSymbol[]>();
  const exported = (path: string) => {
    let list = exportedCache.get(path);
    if (!list) {
      const file = byPath.get(path);
      list = file && file.exportedTopLevel > 0 ? file.symbols.filter((s) => s.exported && !s.parent) : [];
      exportedCache.set(path, list);
    }
    return list;
  };
  const paths = files.map((file) => file.path);
  const read = (path: string) => byPath.get(path)?.content ?? "";
  // Package source first (examples' and tests' own packages after), then by path.
  const packageRole = (pkg: PackageEntry) => fileRole(pkg.path ? `${pkg.path}/index.js` : "index.js", "javascript");
  const packages = discoverPackages(paths, read)
    .map((pkg, i) => ({ pkg, i, rank: ROLE_RANK[packageRole(pkg)] }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map(({ pkg }) => pkg);
  const packageFor = packageOfFile(packages);
  const packageOf = new Map<string, string>();
  for (const file of files) {
    const pkg = packageFor(file.path);
    if (pkg) packageOf.set(file.path, pkg.name);
  }

  const entryOf = new Map<string, string>();
  for (const pkg of packages) {
    const main = pkg.entry_points.find((e) => e.name === ".")?.file;
    if (main) entryOf.set(pkg.name, main);
  }
  const apiIds = new Set<string>();
  const apis = new Map<PackageEntry, ExtractedSymbol[]>();
  for (const pkg of packages) {
    const api = publicApi(pkg, { paths, has: (p) => byPath.has(p), text: read, exported, packageEntry: (name) => entryOf.get(name) });
    apis.set(pkg, api);
    pkg.public_api = api.map((symbol) => symbol.id);
    for (const symbol of api) apiIds.add(symbol.id);
  }

  const prosePages = new Map<string, ProsePage>();
  // Made by extraction where it ran (see ExtractResult.prose), else here.
  for (const file of files) if (isProse(file.language)) prosePages.set(file.path, file.prose ?? prosePage(file.path, file.language, file.content));
  const readmePath = files.map((f) => f.path).find((p) => /^readme(\.(md|markdown|mdx|rst|adoc|txt))?$/i.test(p));
  const readme = readmePath ? { path: readmePath, markdown: prosePages.get(readmePath)?.markdown ?? "" } : undefined;

  // One pass over every symbol: search entries, type links, key symbols.
  const maxSearchEntries = options.maxSearchEntries ?? MAX_SEARCH_ENTRIES;
  const ranked = new RankedBuckets<SearchEntry>(maxSearchEntries);
  const nameIds = new Map<string, string[]>();
  const definitions = new Map<string, { file: string; anchor: string }>();
  const keyCandidates = new RankedBuckets<KeySymbol>(MAX_KEY_SYMBOLS);
  // Anchors of the package APIs' symbols, for the package pages (read here, where every file's
  // symbols are read once anyway, rather than again per page).
  const apiAnchors = new Map<string, string>();
  const rankOf = (roleRank: number, tier: number) => roleRank * 10 + tier;
  for (const pkg of packages)
    ranked.offer(rankOf(ROLE_RANK[packageRole(pkg)], 0), () => [pkg.name, "package", pkg.page, packageRole(pkg), pkg.description ?? pkg.path ?? ""]);
  for (const file of files) {
    if (file.symbolCount === 0) continue;
    const symbols = file.symbols;
    const anchors = symbolAnchors(file.path, symbols);
    const roleRank = ROLE_RANK[file.role];
    for (const symbol of symbols) {
      // Type-like definitions and package APIs: what signatures and {@link}s name (kept small:
      // pack hands this map to its symbols worker).
      if (symbol.exported && !symbol.parent && (TYPE_KINDS.has(symbol.kind) || apiIds.has(symbol.id))) {
        const ids = nameIds.get(symbol.name) ?? [];
        if (ids.length < 8) {
          ids.push(symbol.id);
          nameIds.set(symbol.name, ids);
          definitions.set(symbol.id, { file: file.path, anchor: anchors.get(symbol.id)! });
        }
      }
      const inApi = apiIds.has(symbol.id);
      if (inApi) apiAnchors.set(symbol.id, anchors.get(symbol.id)!);
      const tier = inApi ? 1 : symbol.exported && !symbol.parent ? 2 : symbol.exported ? 4 : !symbol.parent ? 6 : 7;
      // Private members stay out of the index (they are on their file's page).
      if (tier === 7) continue;
      const rank = rankOf(roleRank, tier);
      ranked.offer(rank, () => [symbol.name, symbol.kind, `${DOCPACK_PATHS.filePage(file.path)}#${anchors.get(symbol.id)}`, file.role, tier <= 2 ? symbol.signature.slice(0, 120) : ""]);
      if (tier <= 2 && keyCandidates.wants(rank)) keyCandidates.add(rank, { ...symbol, role: file.role, anchor: anchors.get(symbol.id)! });
    }
  }
  for (const [path, page] of prosePages) {
    const file = byPath.get(path)!;
    const target = DOCPACK_PATHS.prosePage(path);
    ranked.offer(rankOf(ROLE_RANK[file.role], 3), () => [page.title, "page", target, file.role, path]);
    for (const heading of page.headings.slice(0, 200))
      if (heading.text !== page.title) ranked.offer(rankOf(ROLE_RANK[file.role], 5), () => [heading.text, "heading", `${target}#${heading.anchor}`, file.role, page.title]);
  }
  for (const ids of nameIds.values()) ids.sort((a, b) => Number(!apiIds.has(a)) - Number(!apiIds.has(b)));

  const typeContext = { packageOf, nameIds, definitions };
  const readmes = packageReadmes(packages, prosePages);
  const pageOf = (pkg: PackageEntry, overview?: string) =>
    packagePage({ pkg, api: apis.get(pkg)!, readme: readmes.get(pkg), anchors: apiAnchors, links: typeContext }, overview);
  const packagePages = new Map<string, string>();
  for (const pkg of packages) packagePages.set(pkg.page, pageOf(pkg));
  const searchEntries = ranked.items();

  const structure: Structure = {
    prosePages,
    packages,
    packagePages,
    readme,
    packageOf,
    nameIds,
    definitions,
    searchStats: { entries: searchEntries.length, omitted: ranked.offered - searchEntries.length, max_entries: maxSearchEntries },
    keySymbols: keyCandidates.items(),
    apis: packages.map((pkg) => {
      const readmePath = readmes.get(pkg);
      return { pkg, api: apis.get(pkg)!, ...(readmePath ? { readme: byPath.get(readmePath)?.content ?? "" } : {}) };
    }),
    packagePageWith: (pkg, overview) => pageOf(pkg, overview),
  };
  return { structure, search: { format: "docpack-search", version: 1, fields: [...SEARCH_FIELDS], entries: searchEntries } };
}

/** Each package's README: the first prose file named so directly in its folder. */
function packageReadmes(packages: PackageEntry[], prose: Map<string, ProsePage>): Map<PackageEntry, string> {
  const byFolder = new Map<string, string>();
  for (const path of prose.keys()) {
    const slash = path.lastIndexOf("/");
    const folder = slash === -1 ? "" : path.slice(0, slash);
    if (!byFolder.has(folder) && /^readme\.(md|mdx|rst|adoc|txt)$/i.test(path.slice(slash + 1))) byFolder.set(folder, path);
  }
  const readmes = new Map<PackageEntry, string>();
  for (const pkg of packages) {
    const readme = byFolder.get(pkg.path);
    if (readme) readmes.set(pkg, readme);
  }
  return readmes;
}

/** Relative link from docs/packages/<slug>.md to a repository file's page. */
const fromPackagePage = (target: string) => `../${target.replace(/^docs\//, "")}`;
const encodePath = (path: string) => path.split("/").map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join("/");

type PackagePageInput = {
  pkg: PackageEntry;
  api: ExtractedSymbol[];
  readme: string | undefined;
  /** anchor of each API symbol's heading on its file page */
  anchors: ReadonlyMap<string, string>;
  links: NameContext & { definitions: Definitions };
};

function packagePage({ pkg, api, readme, anchors, links }: PackagePageInput, overview?: string): string {
  const out = [`# ${inlineCode(pkg.name)}`, ""];
  if (pkg.description) out.push(escapeText(pkg.description), "");
  const facts = [`${pkg.ecosystem} package`, ...(pkg.version ? [`version ${inlineCode(pkg.version)}`] : []), `in ${inlineCode(pkg.path || ".")}`, `manifest ${inlineCode(pkg.manifest)}`];
  out.push(facts.join(" · "), "");
  if (overview) out.push("## Overview", "", overview, "");
  if (readme) out.push(`Read more: [${inlineCode(readme)}](${encodePath(fromPackagePage(DOCPACK_PATHS.prosePage(readme)))})`, "");
  if (pkg.entry_points.length > 0) {
    out.push("## Entry points", "");
    for (const entry of pkg.entry_points) {
      const where = entry.file ? `[${inlineCode(entry.file)}](${encodePath(fromPackagePage(DOCPACK_PATHS.filePage(entry.file)))})` : entry.target ? inlineCode(entry.target) : "";
      out.push(`- ${inlineCode(entry.name)}: ${where}${entry.file && entry.target && entry.target !== entry.file ? ` (${inlineCode(entry.target)})` : ""}`);
    }
    out.push("");
  }
  out.push("## Public API", "");
  if (api.length === 0) out.push("No exported symbols were found through the entry points.", "");
  for (const symbol of api.slice(0, MAX_API_LISTED)) {
    const link = `${encodePath(fromPackagePage(DOCPACK_PATHS.filePage(symbol.file)))}#${anchors.get(symbol.id) ?? ""}`;
    out.push(`### ${inlineCode(symbolHeading(symbol))}`, "", `*${symbol.kind}* in [${inlineCode(`${symbol.file}:${symbol.start_line}`)}](${link})`, "");
    if (symbol.signature) out.push(codeBlock(symbol.signature, symbol.language), "");
    const types = symbol.signature ? typesLine(symbol, links, pkg.page) : undefined;
    if (types) out.push(types, "");
    if (symbol.doc) out.push(...docSections(symbol.doc));
  }
  if (api.length > MAX_API_LISTED) out.push(`... and ${api.length - MAX_API_LISTED} more (see symbols.json and this package's public_api in manifest.json).`, "");
  return `${out.join("\n").trimEnd()}\n`;
}

/** llms.txt (llmstxt.org): what the repository is, its packages, the pages that matter, key APIs. */
export function llmsTxt(input: { repoName: string; structure: Structure; files: DocumentFile[] }): string {
  const { structure } = input;
  const intro = structure.readme ? firstParagraph(structure.readme.markdown) : "";
  const description = intro || structure.packages.find((p) => p.description)?.description || "";
  const out = [`# ${escapeText(input.repoName)}`, ""];
  if (description) out.push(`> ${escapeText(description)}`, "");
  out.push(
    `This docpack holds the repository's documentation (docs/), each accepted file's text (source/), symbols.json (every symbol with signature, doc and source lines) and search.json.`,
    "",
  );
  if (structure.packages.length > 0) {
    out.push("## Packages", "");
    for (const pkg of structure.packages) out.push(`- [${escapeText(pkg.name)}](${encodePath(pkg.page)})${pkg.description ? `: ${escapeText(pkg.description)}` : ""}`);
    out.push("");
  }
  const roleOf = new Map(input.files.map((file) => [file.path, file.role]));
  const docs = [...structure.prosePages].filter(([path]) => roleOf.get(path) === "docs").slice(0, 200);
  if (docs.length > 0) {
    out.push("## Docs", "");
    for (const [path, page] of docs) out.push(`- [${escapeText(page.title)}](${encodePath(DOCPACK_PATHS.prosePage(path))}): ${inlineCode(path)}`);
    out.push("");
  }
  const key = structure.keySymbols.filter((s) => s.role === "source").slice(0, 150);
  if (key.length > 0) {
    out.push("## API", "");
    for (const symbol of key) {
      const anchor = symbol.anchor;
      const doc = symbol.doc?.markdown ?? symbol.doc_comment;
      const summary = doc ? `: ${escapeText(firstSentence(doc))}` : "";
      out.push(`- [${escapeText(symbolHeading(symbol))}](${encodePath(DOCPACK_PATHS.filePage(symbol.file))}#${anchor}) ${inlineCode(symbol.signature.slice(0, 200))}${summary}`);
    }
    out.push("");
  }
  const { entries, omitted } = structure.searchStats;
  const searchNote = omitted > 0 ? `: the best-ranked ${entries} of ${entries + omitted} entries (capped; every symbol is in symbols.json)` : "";
  out.push("## Optional", "", `- [Overview](${DOCPACK_PATHS.index}): languages, packages and every file`, `- [Search index](${DOCPACK_PATHS.search})${searchNote}`, "");
  return `${out.join("\n").trimEnd()}\n`;
}

function firstParagraph(markdown: string): string {
  for (const block of markdown.split(/\n\s*\n/)) {
    const text = block.trim();
    if (!text || /^(#|!\[|\[!\[|\\?<|```|\||-{3,}|> \[!)/.test(text)) continue;
    const plain = text
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[`*_]/g, "")
      .replace(/\\(.)/g, "$1")
      .replace(/<[^>]*>/g, "")
      .trim();
    if (plain.length > 20) return plain.slice(0, 500);
  }
  return "";
}
