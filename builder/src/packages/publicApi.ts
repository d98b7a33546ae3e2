/**
 * A package's public API: what its entry points export. JavaScript/TypeScript `export … from`,
 * `export *` and `import … ; export { … }` chains are followed to the definitions; Python
 * `__init__.py` imports (`from .x import a`, `from .x import *`) likewise; Go's is the module root
 * package's exported declarations; Rust's the crate root's `pub` items and its `pub mod`s' items.
 */
import type { PackageEntry } from "@doctown/core/docpackFormat";
import type { ExtractedSymbol } from "../types";

export type ApiSource = {
  /** every accepted path */
  paths: string[];
  has(path: string): boolean;
  text(path: string): string;
  /** top-level exported symbols of a file, in source order */
  exported(path: string): ExtractedSymbol[];
};

const MAX_API = 2000;
const MAX_DEPTH = 24;
const JS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".svelte", ".vue"];

export function publicApi(pkg: PackageEntry, source: ApiSource): ExtractedSymbol[] {
  const out = new Map<string, ExtractedSymbol>();
  const add = (symbol: ExtractedSymbol) => out.size < MAX_API && out.set(symbol.id, symbol);
  for (const entry of pkg.entry_points) {
    if (!entry.file || !source.has(entry.file) || entry.name.startsWith("bin:") || entry.name.startsWith("script:")) continue;
    if (pkg.ecosystem === "npm") for (const symbol of jsExports(entry.file, source, new Set(), 0)) add(symbol);
    else if (pkg.ecosystem === "python") for (const symbol of pythonExports(entry.file, source, new Set(), 0)) add(symbol);
    else if (pkg.ecosystem === "go") {
      const dir = entry.file.includes("/") ? entry.file.slice(0, entry.file.lastIndexOf("/") + 1) : "";
      for (const path of goFiles(dir, source)) for (const symbol of source.exported(path)) add(symbol);
    } else if (pkg.ecosystem === "cargo") for (const symbol of rustExports(entry.file, source)) add(symbol);
  }
  return [...out.values()];
}

function resolveRelative(from: string, specifier: string, source: ApiSource, extensions: string[]): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const dir = from.includes("/") ? from.slice(0, from.lastIndexOf("/")) : "";
  const parts: string[] = dir ? dir.split("/") : [];
  for (const part of specifier.split("/")) {
    if (part === "." || part === "") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  const base = parts.join("/");
  const stem = base.replace(/\.(m|c)?js$/, "");
  for (const candidate of [base, ...extensions.map((ext) => stem + ext), ...extensions.map((ext) => `${base}/index${ext}`)])
    if (source.has(candidate)) return candidate;
  return undefined;
}

const EXPORT_FROM = /export\s+(type\s+)?(\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*["']([^"']+)["']/g;
const IMPORT_NAMED = /import\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;
const EXPORT_LOCAL = /export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from)/g;

function specifiers(list: string): Array<{ imported: string; exported: string }> {
  return list
    .split(",")
    .map((part) => part.trim().replace(/^type\s+/, ""))
    .filter(Boolean)
    .map((part) => {
      const [imported, exported] = part.split(/\s+as\s+/);
      return { imported: imported!.trim(), exported: (exported ?? imported)!.trim() };
    });
}

function jsExports(path: string, source: ApiSource, seen: Set<string>, depth: number): ExtractedSymbol[] {
  if (seen.has(path) || depth > MAX_DEPTH) return [];
  seen.add(path);
  const text = stripComments(source.text(path));
  const out: ExtractedSymbol[] = [...source.exported(path)];
  for (const match of text.matchAll(EXPORT_FROM)) {
    const target = resolveRelative(path, match[3]!, source, JS_EXTENSIONS);
    if (!target) continue;
    if (match[2]!.startsWith("*")) out.push(...jsExports(target, source, seen, depth + 1));
    else for (const { imported } of specifiers(match[2]!.slice(1, -1))) out.push(...jsNamed(target, imported, source, new Set(), depth + 1));
  }
  const imports = new Map<string, { from: string; imported: string }>();
  for (const match of text.matchAll(IMPORT_NAMED))
    for (const { imported, exported } of specifiers(match[1]!)) imports.set(exported, { from: match[2]!, imported });
  for (const match of text.matchAll(EXPORT_LOCAL))
    for (const { imported } of specifiers(match[1]!)) {
      const via = imports.get(imported);
      if (!via) continue;
      const target = resolveRelative(path, via.from, source, JS_EXTENSIONS);
      if (target) out.push(...jsNamed(target, via.imported, source, new Set(), depth + 1));
    }
  return out;
}

/** The definition(s) of `name` as exported by `path`, following re-exports. */
function jsNamed(path: string, name: string, source: ApiSource, seen: Set<string>, depth: number): ExtractedSymbol[] {
  if (seen.has(path) || depth > MAX_DEPTH) return [];
  seen.add(path);
  const own = source.exported(path).filter((symbol) => symbol.name === name);
  if (own.length > 0) return own;
  const text = stripComments(source.text(path));
  for (const match of text.matchAll(EXPORT_FROM)) {
    const target = resolveRelative(path, match[3]!, source, JS_EXTENSIONS);
    if (!target) continue;
    if (match[2]!.startsWith("*")) {
      if (match[2]!.includes(" as ")) continue;
      const found = jsNamed(target, name, source, seen, depth + 1);
      if (found.length > 0) return found;
    } else {
      const spec = specifiers(match[2]!.slice(1, -1)).find((s) => s.exported === name);
      if (spec) return jsNamed(target, spec.imported, source, seen, depth + 1);
    }
  }
  for (const match of text.matchAll(IMPORT_NAMED)) {
    const spec = specifiers(match[1]!).find((s) => s.exported === name);
    const target = spec && resolveRelative(path, match[2]!, source, JS_EXTENSIONS);
    if (spec && target) return jsNamed(target, spec.imported, source, seen, depth + 1);
  }
  return [];
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

function pythonExports(path: string, source: ApiSource, seen: Set<string>, depth: number): ExtractedSymbol[] {
  if (seen.has(path) || depth > MAX_DEPTH) return [];
  seen.add(path);
  const out = [...source.exported(path)];
  const text = source.text(path).replace(/\\\n/g, " ");
  const pattern = /^from\s+(\.+[\w.]*)\s+import\s+(\([^)]*\)|[^\n#]+)/gm;
  for (const match of text.matchAll(pattern)) {
    const target = pythonModule(path, match[1]!, source);
    if (!target) continue;
    const names = match[2]!.replace(/[()]/g, "").split(",").map((n) => n.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
    if (names.includes("*")) out.push(...pythonExports(target, source, seen, depth + 1).filter((s) => !s.name.startsWith("_")));
    else {
      const defined = source.exported(target);
      for (const name of names) out.push(...defined.filter((symbol) => symbol.name === name));
    }
  }
  return out;
}

function pythonModule(from: string, relative: string, source: ApiSource): string | undefined {
  const dots = /^\.+/.exec(relative)![0].length;
  const parts = from.split("/").slice(0, -1);
  for (let i = 1; i < dots; i++) parts.pop();
  const rest = relative.slice(dots).split(".").filter(Boolean);
  const base = [...parts, ...rest].join("/");
  return [`${base}.py`, `${base}/__init__.py`].find((candidate) => source.has(candidate));
}

function goFiles(dir: string, source: ApiSource): string[] {
  return source.paths.filter((f) => f.startsWith(dir) && !f.slice(dir.length).includes("/") && f.endsWith(".go") && !f.endsWith("_test.go"));
}

function rustExports(path: string, source: ApiSource): ExtractedSymbol[] {
  const out = [...source.exported(path)];
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  for (const match of source.text(path).matchAll(/^\s*pub\s+mod\s+(\w+)\s*;/gm)) {
    const file = [`${dir}${match[1]}.rs`, `${dir}${match[1]}/mod.rs`].find((f) => source.has(f));
    if (file) out.push(...source.exported(file));
  }
  return out;
}
