/**
 * The viewer's search index and ranking, and the file tree (pure, so they are tested without a
 * browser). One index holds symbols (by name and qualified name), files (by name and path),
 * packages and prose headings. A query ranks its matches: tests and examples always last; before
 * them exact names first, then what a package exports from its source, then the rest, each by how
 * well it matched (exact, prefix, substring) and by kind.
 */
import type { Docpack, FileRole, SymbolEntry } from "./docpack";

export const MAX_RESULTS = 50;

export type SearchEntry = {
  /** what a result shows */
  label: string;
  /** lower-case name and qualified name (or path) matched against */
  name: string;
  qualified: string;
  kind: string;
  /** the viewer route it opens: "symbol/<id>", "file/<path>", "package/<name>", "overview", a page's with "#<anchor>" */
  route: string;
  /** a heading to scroll to once the route is shown */
  heading?: string;
  role: FileRole;
  /** exported by a package's source (or a package itself) */
  exported: boolean;
  detail: string;
};

const KIND_WEIGHT: Record<string, number> = {
  package: 0,
  class: 1,
  interface: 1,
  type: 1,
  enum: 1,
  struct: 1,
  trait: 1,
  module: 1,
  function: 2,
  method: 3,
  constructor: 3,
  file: 4,
  heading: 5,
};
const weightOf = (kind: string) => KIND_WEIGHT[kind] ?? 6;
const isTestOrExample = (role: FileRole) => role === "test" || role === "example";
const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

export function buildIndex(docpack: Pick<Docpack, "symbols" | "files" | "manifest">, overviewHeadings: string[] = []): SearchEntry[] {
  const entries: SearchEntry[] = [];
  for (const pkg of docpack.manifest.packages)
    entries.push({ label: pkg.name, name: pkg.name.toLowerCase(), qualified: pkg.path.toLowerCase(), kind: "package", route: `package/${pkg.name}`, role: "source", exported: true, detail: pkg.description ?? (pkg.path || "repository root") });
  for (const symbol of docpack.symbols) {
    entries.push({
      label: symbol.title,
      name: symbol.name.toLowerCase(),
      qualified: symbol.title.toLowerCase(),
      kind: symbol.kind,
      route: `symbol/${symbol.id}`,
      role: symbol.role,
      exported: symbol.exported && symbol.role === "source",
      detail: `${symbol.kind} · ${symbol.file}:${symbol.start_line}`,
    });
  }
  for (const file of docpack.files) {
    const route = `file/${file.path}`;
    entries.push({ label: file.path, name: basename(file.path).toLowerCase(), qualified: file.path.toLowerCase(), kind: "file", route, role: file.role, exported: false, detail: file.title ?? (file.language || "file") });
    for (const heading of file.headings)
      entries.push({ label: heading.text, name: heading.text.toLowerCase(), qualified: `${file.path} ${heading.text}`.toLowerCase(), kind: "heading", route: `${route}#${heading.anchor}`, heading: heading.text, role: file.role, exported: false, detail: file.title ?? file.path });
  }
  for (const heading of overviewHeadings)
    entries.push({ label: heading, name: heading.toLowerCase(), qualified: heading.toLowerCase(), kind: "heading", route: "overview", heading, role: "docs", exported: false, detail: "Overview" });
  return entries;
}

/** How well `entry` matches: 0 exact (same case), 1 exact, 2 name prefix, 3 qualified prefix, 4 name substring, 5 qualified substring; -1 none. */
function quality(entry: SearchEntry, needle: string, raw: string): number {
  if (entry.name === needle || entry.qualified === needle) return entry.label === raw || entry.label.endsWith(`.${raw}`) || entry.label.endsWith(`/${raw}`) ? 0 : 1;
  if (entry.qualified.endsWith(`.${needle}`) || entry.qualified.endsWith(`/${needle}`) || entry.qualified.endsWith(`::${needle}`)) return 1;
  if (entry.name.startsWith(needle)) return 2;
  if (entry.qualified.startsWith(needle)) return 3;
  if (entry.name.includes(needle)) return 4;
  if (entry.qualified.includes(needle)) return 5;
  return -1;
}

export function search(index: readonly SearchEntry[], query: string, max = MAX_RESULTS): { results: SearchEntry[]; total: number } {
  const raw = query.trim();
  const needle = raw.toLowerCase();
  if (!needle) return { results: [], total: 0 };
  const ranked: { entry: SearchEntry; key: number[] }[] = [];
  for (const entry of index) {
    const q = quality(entry, needle, raw);
    if (q < 0) continue;
    ranked.push({ entry, key: [isTestOrExample(entry.role) ? 1 : 0, q <= 1 ? 0 : 1, entry.exported ? 0 : 1, q, weightOf(entry.kind), entry.label.length] });
  }
  ranked.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return a.entry.label.localeCompare(b.entry.label) || a.entry.route.localeCompare(b.entry.route);
  });
  return { results: ranked.slice(0, max).map(({ entry }) => entry), total: ranked.length };
}

/** The headings of a Markdown page (ATX headings outside code fences). */
export function markdownHeadings(markdown: string, max = 200): string[] {
  const headings: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced) {
      const match = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (match) headings.push(match[1].replace(/[`*_]/g, ""));
      if (headings.length >= max) break;
    }
  }
  return headings;
}

/** Symbols of each file, in line order. */
export function symbolsByFile(symbols: readonly SymbolEntry[]): Map<string, SymbolEntry[]> {
  const byFile = new Map<string, SymbolEntry[]>();
  for (const symbol of symbols) {
    const list = byFile.get(symbol.file);
    if (list) list.push(symbol);
    else byFile.set(symbol.file, [symbol]);
  }
  for (const list of byFile.values()) list.sort((a, b) => a.start_line - b.start_line);
  return byFile;
}

export type TreeNode = { name: string; path: string; children: Map<string, TreeNode>; file: boolean };

/** The files as a directory tree (directories first, then names, when rendered). */
export function fileTree(paths: readonly string[]): TreeNode {
  const root: TreeNode = { name: "", path: "", children: new Map(), file: false };
  for (const path of paths) {
    let node = root;
    const parts = path.split("/").filter(Boolean);
    parts.forEach((part, index) => {
      const isFile = index === parts.length - 1;
      const key = `${isFile ? "f" : "d"}:${part}`;
      let child = node.children.get(key);
      if (!child) {
        child = { name: part, path: isFile ? path : parts.slice(0, index + 1).join("/"), children: new Map(), file: isFile };
        node.children.set(key, child);
      }
      node = child;
    });
  }
  return root;
}

export function sortedChildren(node: TreeNode): TreeNode[] {
  return [...node.children.values()].sort((a, b) => Number(a.file) - Number(b.file) || a.name.localeCompare(b.name));
}

/**
 * The packages of a docpack: v2 lists them; a v1 docpack's are guessed from the layout of a
 * monorepo (packages/<x>, libs/<x>, apps/<x>, crates/<x>), else none.
 */
export function packagesOf(docpack: Pick<Docpack, "files" | "manifest">): { name: string; path: string; description?: string; page?: string; public_api: string[] }[] {
  if (docpack.manifest.packages.length) return docpack.manifest.packages;
  const dirs = new Set<string>();
  for (const file of docpack.files) {
    const match = /^((?:packages|libs|apps|crates|modules)\/[^/]+)\//.exec(file.path);
    if (match) dirs.add(match[1]);
  }
  return [...dirs].sort().map((path) => ({ name: basename(path), path, public_api: [] }));
}

/** The package a file belongs to: the innermost package directory holding it. */
export function packageOfPath(packages: readonly { name: string; path: string }[], path: string) {
  let best: { name: string; path: string } | undefined;
  for (const pkg of packages) if ((pkg.path === "" || path.startsWith(`${pkg.path}/`)) && (!best || pkg.path.length > best.path.length)) best = pkg;
  return best;
}
