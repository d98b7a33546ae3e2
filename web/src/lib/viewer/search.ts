/** Symbol search and per-file grouping for the viewer (pure, so it is tested without a browser). */
import type { SymbolEntry } from "./docpack";

export const MAX_RESULTS = 100;

/** Symbols whose name contains `query` (case-insensitive): exact names first, then prefixes, then the rest. */
export function searchSymbols(symbols: readonly SymbolEntry[], query: string, max = MAX_RESULTS): { results: SymbolEntry[]; total: number } {
  const needle = query.trim().toLowerCase();
  if (!needle) return { results: [], total: 0 };
  const ranked: [number, SymbolEntry][] = [];
  for (const symbol of symbols) {
    const name = symbol.name.toLowerCase();
    const at = name.indexOf(needle);
    if (at < 0) continue;
    ranked.push([name === needle ? 0 : at === 0 ? 1 : 2, symbol]);
  }
  ranked.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name) || a[1].file.localeCompare(b[1].file) || a[1].start_line - b[1].start_line);
  return { results: ranked.slice(0, max).map(([, symbol]) => symbol), total: ranked.length };
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
