/**
 * Packages of the repository, from their manifests (package.json, pyproject.toml, setup.cfg,
 * go.mod, Cargo.toml): name, version, description, and entry points mapped to repository files.
 * Built files (dist/...) are mapped back to their sources where the repository has them. A
 * manifest that does not parse, or names no package, is passed over.
 */
import { parse as parseToml } from "smol-toml";
import { packageSlug, DOCPACK_PATHS, type EntryPoint, type PackageEntry } from "@doctown/core/docpackFormat";

export type RepoFile = { path: string; content: string };

const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".svelte", ".vue"];

/** `files`: every accepted path; `read`: a file's text (manifests and entry files only are read). */
export function discoverPackages(paths: string[], read: (path: string) => string): PackageEntry[] {
  const known = new Set(paths);
  const out: PackageEntry[] = [];
  const slugs = new Set<string>();
  for (const path of [...paths].sort()) {
    const base = path.slice(path.lastIndexOf("/") + 1);
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    let found: Omit<PackageEntry, "page" | "manifest" | "path"> | undefined;
    try {
      if (base === "package.json") found = npmPackage(dir, read(path), known);
      else if (base === "pyproject.toml") found = pyprojectPackage(dir, read(path), known);
      else if (base === "setup.cfg") found = setupCfgPackage(dir, read(path), known);
      else if (base === "go.mod") found = goPackage(dir, read(path), known);
      else if (base === "Cargo.toml") found = cargoPackage(dir, read(path), known);
    } catch {
      found = undefined;
    }
    if (!found) continue;
    // One package per name: pyproject.toml and setup.cfg of the same project are one.
    if (out.some((p) => p.name === found.name && p.path === dir)) continue;
    let slug = packageSlug(found.name);
    for (let n = 2; slugs.has(slug); n++) slug = `${packageSlug(found.name)}-${n}`;
    slugs.add(slug);
    out.push({ ...found, path: dir, manifest: path, page: DOCPACK_PATHS.packagePage(slug) });
  }
  return out;
}

const join = (dir: string, rel: string) => {
  const parts = (dir ? `${dir}/${rel}` : rel).split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
};

/** A built or declared file (./dist/index.js, ./src/index.ts) → the repository source that makes it. */
export function sourceFor(dir: string, target: string, known: Set<string>): string | undefined {
  const direct = join(dir, target);
  if (known.has(direct)) {
    if (!/\.d\.[cm]?ts$/.test(direct)) return direct;
  }
  const stem = direct.replace(/\.d\.[cm]?ts$/, "").replace(/\.(m|c)?(j|t)sx?$/, "");
  const candidates = [stem];
  const rel = stem.slice(dir ? dir.length + 1 : 0);
  // dist/esm/index → src/index, lib/index → src/index, build/foo → src/foo
  const withoutOut = rel.replace(/^(dist|build|lib|out|esm|cjs|types|legacy|modern)(\/(esm|cjs|types|legacy|modern|src))*\//, "");
  if (withoutOut !== rel) candidates.push(join(dir, `src/${withoutOut}`), join(dir, withoutOut));
  for (const candidate of candidates)
    for (const ext of SOURCE_EXTENSIONS) {
      if (known.has(candidate + ext)) return candidate + ext;
      if (known.has(`${candidate}/index${ext}`)) return `${candidate}/index${ext}`;
    }
  return known.has(direct) ? direct : undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 1000) : undefined);

function npmPackage(dir: string, content: string, known: Set<string>) {
  const json = JSON.parse(content) as unknown;
  if (!isObject(json)) return undefined;
  const name = text(json.name);
  if (!name) return undefined;
  const entries: EntryPoint[] = [];
  const add = (entryName: string, target: unknown) => {
    const value = text(target);
    if (!value || entries.some((e) => e.name === entryName)) return;
    const file = sourceFor(dir, value, known);
    entries.push({ name: entryName, ...(file ? { file } : {}), target: value });
  };
  const exportsField = json.exports;
  if (typeof exportsField === "string") add(".", exportsField);
  else if (isObject(exportsField)) {
    const subpaths = Object.keys(exportsField).some((key) => key.startsWith("."));
    const entriesOf = subpaths ? Object.entries(exportsField) : [[".", exportsField] as [string, unknown]];
    for (const [key, value] of entriesOf) {
      if (key.includes("*") || key.endsWith("package.json")) continue;
      add(key, pickCondition(value));
    }
  }
  if (!entries.some((e) => e.name === ".")) add(".", json.source ?? json.module ?? json.main ?? json.types ?? json.typings);
  add("types", json.types ?? json.typings);
  if (typeof json.bin === "string") add(`bin:${name.replace(/^@[^/]+\//, "")}`, json.bin);
  else if (isObject(json.bin)) for (const [bin, target] of Object.entries(json.bin)) add(`bin:${bin}`, target);
  if (!entries.some((e) => e.name === ".") || !entries.find((e) => e.name === ".")?.file) {
    const guess = ["src/index", "index", "lib/index", "src/main"].flatMap((stem) => SOURCE_EXTENSIONS.map((ext) => join(dir, stem + ext))).find((f) => known.has(f));
    if (guess) {
      const main = entries.find((e) => e.name === ".");
      if (main) main.file = guess;
      else entries.unshift({ name: ".", file: guess });
    }
  }
  return { name, version: text(json.version), description: text(json.description), ecosystem: "npm" as const, entry_points: entries };
}

/** The file an exports condition object resolves to, preferring source-like conditions. */
function pickCondition(value: unknown, depth = 0): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return pickCondition(value[0], depth + 1);
  if (!isObject(value) || depth > 5) return undefined;
  for (const condition of ["source", "development", "import", "module", "default", "require", "node", "browser", "types"]) {
    if (condition in value) {
      const picked = pickCondition(value[condition], depth + 1);
      if (picked) return picked;
    }
  }
  for (const inner of Object.values(value)) {
    const picked = pickCondition(inner, depth + 1);
    if (picked) return picked;
  }
  return undefined;
}

function pythonEntries(dir: string, importName: string, known: Set<string>, scripts: Record<string, unknown> = {}): EntryPoint[] {
  const module = importName.replace(/-/g, "_").toLowerCase();
  const out: EntryPoint[] = [];
  for (const stem of [`src/${module}`, module]) {
    const init = join(dir, `${stem}/__init__.py`);
    const single = join(dir, `${stem}.py`);
    if (known.has(init)) out.push({ name: module, file: init });
    else if (known.has(single)) out.push({ name: module, file: single });
    if (out.length > 0) break;
  }
  for (const [script, target] of Object.entries(scripts)) {
    const value = text(target);
    if (!value) continue;
    const mod = value.split(":")[0]!.replace(/\./g, "/");
    const file = [join(dir, `${mod}.py`), join(dir, `src/${mod}.py`), join(dir, `${mod}/__init__.py`), join(dir, `src/${mod}/__init__.py`)].find((f) => known.has(f));
    out.push({ name: `script:${script}`, target: value, ...(file ? { file } : {}) });
  }
  return out;
}

function pyprojectPackage(dir: string, content: string, known: Set<string>) {
  const toml = parseToml(content) as Json;
  const project = isObject(toml.project) ? toml.project : undefined;
  const poetry = isObject(toml.tool) && isObject(toml.tool.poetry) ? toml.tool.poetry : undefined;
  const source = project ?? poetry;
  const name = text(source?.name);
  if (!source || !name) return undefined;
  const scripts = isObject(source.scripts) ? source.scripts : {};
  return { name, version: text(source.version), description: text(source.description), ecosystem: "python" as const, entry_points: pythonEntries(dir, name, known, scripts) };
}

function setupCfgPackage(dir: string, content: string, known: Set<string>) {
  let section = "";
  const metadata: Record<string, string> = {};
  for (const line of content.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) section = header[1]!.trim();
    else if (section === "metadata") {
      const pair = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
      if (pair) metadata[pair[1]!] = pair[2]!.trim();
    }
  }
  const name = text(metadata.name);
  if (!name) return undefined;
  const version = metadata.version && !metadata.version.startsWith("attr:") ? metadata.version : undefined;
  return { name, version, description: text(metadata.description), ecosystem: "python" as const, entry_points: pythonEntries(dir, name, known) };
}

function goPackage(dir: string, content: string, known: Set<string>) {
  const name = /^\s*module\s+("?)(\S+)\1\s*$/m.exec(content)?.[2];
  if (!name) return undefined;
  const prefix = dir ? `${dir}/` : "";
  // The module's root package: its non-test .go files directly in the module directory.
  const files = [...known].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes("/") && f.endsWith(".go") && !f.endsWith("_test.go")).sort();
  const own = `${prefix}${name.split("/").pop()}.go`;
  const entry: EntryPoint[] = files.length > 0 ? [{ name: ".", file: files.includes(own) ? own : files.includes(`${prefix}doc.go`) ? `${prefix}doc.go` : files[0]!, target: prefix || "." }] : [];
  return { name, version: undefined, description: undefined, ecosystem: "go" as const, entry_points: entry };
}

function cargoPackage(dir: string, content: string, known: Set<string>) {
  const toml = parseToml(content) as Json;
  const pkg = isObject(toml.package) ? toml.package : undefined;
  const name = text(pkg?.name);
  if (!pkg || !name) return undefined;
  const entries: EntryPoint[] = [];
  const lib = isObject(toml.lib) && text(toml.lib.path) ? text(toml.lib.path)! : "src/lib.rs";
  if (known.has(join(dir, lib))) entries.push({ name: "lib", file: join(dir, lib) });
  if (known.has(join(dir, "src/main.rs"))) entries.push({ name: `bin:${name}`, file: join(dir, "src/main.rs") });
  const version = typeof pkg.version === "string" ? pkg.version : undefined;
  return { name, version, description: text(pkg.description), ecosystem: "cargo" as const, entry_points: entries };
}

/**
 * The package a file belongs to: the one with the longest directory containing it (of two in one
 * directory, the first). Looked up folder by folder up from the file: asked for every file.
 */
export function packageOfFile(packages: PackageEntry[]): (path: string) => PackageEntry | undefined {
  const byDir = new Map<string, PackageEntry>();
  for (const pkg of packages) if (!byDir.has(pkg.path)) byDir.set(pkg.path, pkg);
  return (path) => {
    for (let end = path.lastIndexOf("/"); end > 0; end = path.lastIndexOf("/", end - 1)) {
      const pkg = byDir.get(path.slice(0, end));
      if (pkg) return pkg;
    }
    return byDir.get("");
  };
}
