/**
 * The docpack's structure beyond per-file pages, the same in placeholder and LLM mode: prose pages,
 * packages with their public API and overview pages, the overview (the README as its introduction),
 * llms.txt and the search index. One pass reads every file's symbols once.
 */
import GithubSlugger from "github-slugger";
import { DOCPACK_PATHS, SEARCH_FIELDS, type PackageEntry, type SearchEntry, type SearchIndex } from "@doctown/core/docpackFormat";
import { isProse } from "../scan/languages";
import { ROLE_RANK } from "../scan/roles";
import { discoverPackages, packageOfFile } from "../packages/discover";
import { publicApi } from "../packages/publicApi";
import type { ExtractedSymbol, ProsePage } from "../types";
import type { DocumentFile } from "./types";
import { codeBlock, escapeText, firstSentence, inlineCode } from "./markdown";
import { docSections, sortSymbols, symbolHeading } from "./placeholder";
import { prosePage } from "./prose";

const MAX_SEARCH_ENTRIES = 200_000;
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
  search: SearchIndex;
  /** the most important exported symbols (package APIs first), for the overview and llms.txt */
  keySymbols: ExtractedSymbol[];
};

/** Anchor of each symbol's heading on its file page (github-slugger, in page order). */
export function symbolAnchors(path: string, symbols: ExtractedSymbol[]): Map<string, string> {
  const slugger = new GithubSlugger();
  for (const heading of [path, "Overview", "Symbols"]) slugger.slug(heading);
  return new Map(sortSymbols(symbols).map((symbol) => [symbol.id, slugger.slug(symbolHeading(symbol))]));
}

export function buildStructure(files: DocumentFile[]): Structure {
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
  const packages = discoverPackages(paths, read);
  const packageFor = packageOfFile(packages);
  const packageOf = new Map<string, string>();
  for (const file of files) {
    const pkg = packageFor(file.path);
    if (pkg) packageOf.set(file.path, pkg.name);
  }

  const apiIds = new Set<string>();
  const apis = new Map<PackageEntry, ExtractedSymbol[]>();
  for (const pkg of packages) {
    const api = publicApi(pkg, { paths, has: (p) => byPath.has(p), text: read, exported });
    apis.set(pkg, api);
    pkg.public_api = api.map((symbol) => symbol.id);
    for (const symbol of api) apiIds.add(symbol.id);
  }

  const prosePages = new Map<string, ProsePage>();
  for (const file of files) if (isProse(file.language)) prosePages.set(file.path, prosePage(file.path, file.language, file.content));
  const readmePath = files.map((f) => f.path).find((p) => /^readme(\.(md|markdown|mdx|rst|adoc|txt))?$/i.test(p));
  const readme = readmePath ? { path: readmePath, markdown: prosePages.get(readmePath)?.markdown ?? "" } : undefined;

  // One pass over every symbol: search entries, type links, key symbols.
  type Ranked = { entry: SearchEntry; rank: number[] };
  const ranked: Ranked[] = [];
  const nameIds = new Map<string, string[]>();
  const keyCandidates: Array<{ symbol: ExtractedSymbol; rank: number[] }> = [];
  for (const pkg of packages)
    ranked.push({ entry: [pkg.name, "package", pkg.page, "source", pkg.description ?? pkg.path ?? ""], rank: [0, 0] });
  for (const file of files) {
    if (file.symbolCount === 0) continue;
    const symbols = file.symbols;
    const anchors = symbolAnchors(file.path, symbols);
    const roleRank = ROLE_RANK[file.role];
    for (const symbol of symbols) {
      if (symbol.exported && !symbol.parent) {
        const ids = nameIds.get(symbol.name) ?? [];
        if (ids.length < 8) {
          ids.push(symbol.id);
          nameIds.set(symbol.name, ids);
        }
      }
      const inApi = apiIds.has(symbol.id);
      const tier = inApi ? 1 : symbol.exported && !symbol.parent ? 2 : symbol.exported ? 4 : !symbol.parent ? 6 : 7;
      if (tier === 7 && roleRank > 0) continue;
      const target = `${DOCPACK_PATHS.filePage(file.path)}#${anchors.get(symbol.id)}`;
      ranked.push({ entry: [symbol.name, symbol.kind, target, file.role, symbol.signature.slice(0, 160)], rank: [roleRank, tier] });
      if (tier <= 2) keyCandidates.push({ symbol: { ...symbol, role: file.role }, rank: [roleRank, tier] });
    }
  }
  for (const [path, page] of prosePages) {
    const file = byPath.get(path)!;
    const target = DOCPACK_PATHS.prosePage(path);
    ranked.push({ entry: [page.title, "page", target, file.role, path], rank: [ROLE_RANK[file.role], 3] });
    for (const heading of page.headings.slice(0, 200))
      if (heading.text !== page.title) ranked.push({ entry: [heading.text, "heading", `${target}#${heading.anchor}`, file.role, page.title], rank: [ROLE_RANK[file.role], 5] });
  }
  const byRank = (a: { rank: number[] }, b: { rank: number[] }) => a.rank[0]! - b.rank[0]! || a.rank[1]! - b.rank[1]!;
  ranked.sort(byRank); // stable: within a rank, repository order
  for (const ids of nameIds.values()) ids.sort((a, b) => Number(!apiIds.has(a)) - Number(!apiIds.has(b)));
  keyCandidates.sort(byRank);

  const packagePages = new Map<string, string>();
  for (const pkg of packages) packagePages.set(pkg.page, packagePage(pkg, apis.get(pkg)!, prosePages, byPath));

  return {
    prosePages,
    packages,
    packagePages,
    readme,
    packageOf,
    nameIds,
    search: { format: "docpack-search", version: 1, fields: [...SEARCH_FIELDS], entries: ranked.slice(0, MAX_SEARCH_ENTRIES).map((r) => r.entry) },
    keySymbols: keyCandidates.slice(0, 300).map((c) => c.symbol),
  };
}

/** Relative link from docs/packages/<slug>.md to a repository file's page. */
const fromPackagePage = (target: string) => `../${target.replace(/^docs\//, "")}`;
const encodePath = (path: string) => path.split("/").map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join("/");

function packagePage(pkg: PackageEntry, api: ExtractedSymbol[], prose: Map<string, ProsePage>, byPath: Map<string, DocumentFile>): string {
  const out = [`# ${inlineCode(pkg.name)}`, ""];
  if (pkg.description) out.push(escapeText(pkg.description), "");
  const facts = [`${pkg.ecosystem} package`, ...(pkg.version ? [`version ${inlineCode(pkg.version)}`] : []), `in ${inlineCode(pkg.path || ".")}`, `manifest ${inlineCode(pkg.manifest)}`];
  out.push(facts.join(" · "), "");
  const readme = [...prose.keys()].find((p) => p.startsWith(pkg.path ? `${pkg.path}/` : "") && /^readme\.(md|mdx|rst|adoc|txt)$/i.test(p.slice(pkg.path ? pkg.path.length + 1 : 0)));
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
  const anchorsByFile = new Map<string, Map<string, string>>();
  for (const symbol of api.slice(0, MAX_API_LISTED)) {
    let anchors = anchorsByFile.get(symbol.file);
    if (!anchors) anchorsByFile.set(symbol.file, (anchors = symbolAnchors(symbol.file, byPath.get(symbol.file)?.symbols ?? [])));
    const link = `${encodePath(fromPackagePage(DOCPACK_PATHS.filePage(symbol.file)))}#${anchors.get(symbol.id) ?? ""}`;
    out.push(`### ${inlineCode(symbolHeading(symbol))}`, "", `*${symbol.kind}* in [${inlineCode(`${symbol.file}:${symbol.start_line}`)}](${link})`, "");
    if (symbol.signature) out.push(codeBlock(symbol.signature, symbol.language), "");
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
  const out = [`# ${oneLine(input.repoName)}`, ""];
  if (description) out.push(`> ${oneLine(description)}`, "");
  out.push(
    `This docpack holds the repository's documentation (docs/), each accepted file's text (source/), symbols.json (every symbol with signature, doc and source lines) and search.json.`,
    "",
  );
  if (structure.packages.length > 0) {
    out.push("## Packages", "");
    for (const pkg of structure.packages) out.push(`- [${oneLine(pkg.name)}](${pkg.page})${pkg.description ? `: ${oneLine(pkg.description)}` : ""}`);
    out.push("");
  }
  const docs = [...structure.prosePages].filter(([path]) => input.files.find((f) => f.path === path)?.role === "docs").slice(0, 200);
  if (docs.length > 0) {
    out.push("## Docs", "");
    for (const [path, page] of docs) out.push(`- [${oneLine(page.title)}](${DOCPACK_PATHS.prosePage(path)}): ${oneLine(path)}`);
    out.push("");
  }
  const key = structure.keySymbols.filter((s) => s.role === "source").slice(0, 150);
  if (key.length > 0) {
    out.push("## API", "");
    for (const symbol of key) {
      const anchor = symbolAnchors(symbol.file, [symbol]).get(symbol.id);
      const summary = symbol.doc?.markdown ? `: ${oneLine(firstSentence(symbol.doc.markdown))}` : "";
      out.push(`- [${oneLine(symbolHeading(symbol))}](${DOCPACK_PATHS.filePage(symbol.file)}#${anchor}) \`${oneLine(symbol.signature).replace(/`/g, "'").slice(0, 200)}\`${summary}`);
    }
    out.push("");
  }
  out.push("## Optional", "", `- [Overview](${DOCPACK_PATHS.index}): languages, packages and every file`, `- [Search index](${DOCPACK_PATHS.search})`, "");
  return `${out.join("\n").trimEnd()}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function firstParagraph(markdown: string): string {
  for (const block of markdown.split(/\n\s*\n/)) {
    const text = block.trim();
    if (!text || /^(#|!\[|\[!\[|<|```|\||-{3,}|> \[!)/.test(text)) continue;
    const plain = text.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*_]/g, "").replace(/\\(.)/g, "$1");
    if (plain.length > 20) return plain.slice(0, 500);
  }
  return "";
}
