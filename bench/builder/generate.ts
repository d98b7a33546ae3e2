/**
 * A deterministic synthetic repository for the builder benchmark: TypeScript, Python and Go
 * sources with functions, classes/structs, methods and doc comments, in nested packages,
 * committed with real git. Same `count` → same files, byte for byte.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const WORDS = [
  "account", "buffer", "cache", "config", "cursor", "digest", "event", "filter", "graph", "handle",
  "index", "job", "kernel", "ledger", "matrix", "node", "order", "parser", "queue", "record",
  "stream", "token", "user", "vector", "widget", "batch", "client", "report", "schema", "session",
];

/** mulberry32: tiny, seedable, good enough to vary generated code. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof random>;
const pick = <T>(rand: Rand, list: T[]) => list[Math.floor(rand() * list.length)];
const cap = (word: string) => word[0].toUpperCase() + word.slice(1);

function name(rand: Rand, i: number): string {
  return `${pick(rand, WORDS)}${cap(pick(rand, WORDS))}${i}`;
}

function typescriptFile(rand: Rand): string {
  const out = [`import { strict as assert } from "node:assert";`, ""];
  const classes = 1 + Math.floor(rand() * 3);
  for (let c = 0; c < classes; c++) {
    const cls = cap(name(rand, c));
    out.push(`/** ${cls} keeps ${pick(rand, WORDS)} state. */`, `export class ${cls} {`, `  private items: number[] = [];`);
    const methods = 2 + Math.floor(rand() * 4);
    for (let m = 0; m < methods; m++) {
      const method = name(rand, m);
      out.push(
        `  /** Adds to the ${pick(rand, WORDS)}. */`,
        `  ${method}(value: number, scale = ${m + 1}): number {`,
        `    const next = value * scale + this.items.length;`,
        `    this.items.push(next);`,
        `    return next;`,
        `  }`,
      );
    }
    out.push(`}`, "");
  }
  const functions = 2 + Math.floor(rand() * 5);
  for (let f = 0; f < functions; f++) {
    const fn = name(rand, f);
    out.push(
      `/**`,
      ` * Computes the ${pick(rand, WORDS)} of a ${pick(rand, WORDS)}.`,
      ` */`,
      `export function ${fn}(input: string[], limit: number): string[] {`,
      `  assert(limit >= 0);`,
      `  return input.filter((entry) => entry.length < limit).map((entry) => entry.trim());`,
      `}`,
      "",
      `const ${fn}Helper = (x: number): number => x * ${f + 2};`,
      "",
    );
  }
  out.push(`export interface ${cap(name(rand, 99))}Options {`, `  limit: number;`, `  label?: string;`, `}`, "");
  return out.join("\n");
}

function pythonFile(rand: Rand): string {
  const out = [`"""Module for ${pick(rand, WORDS)} handling."""`, "import os", ""];
  const classes = 1 + Math.floor(rand() * 3);
  for (let c = 0; c < classes; c++) {
    const cls = cap(name(rand, c));
    out.push(`class ${cls}:`, `    """Keeps ${pick(rand, WORDS)} state."""`, "", `    def __init__(self, size):`, `        self.size = size`, "");
    const methods = 2 + Math.floor(rand() * 4);
    for (let m = 0; m < methods; m++) {
      out.push(`    def ${name(rand, m).toLowerCase()}(self, value):`, `        """Scale the value."""`, `        return value * self.size + ${m}`, "");
    }
  }
  const functions = 2 + Math.floor(rand() * 5);
  for (let f = 0; f < functions; f++) {
    out.push(
      `def ${name(rand, f).toLowerCase()}(items, limit=10):`,
      `    """Return the ${pick(rand, WORDS)} entries below the limit."""`,
      `    return [item for item in items if len(item) < limit and not os.path.isabs(item)]`,
      "",
      "",
    );
  }
  return out.join("\n");
}

function goFile(rand: Rand, pkg: string): string {
  const out = [`// Package ${pkg} handles ${pick(rand, WORDS)}s.`, `package ${pkg}`, "", `import "strings"`, ""];
  const structs = 1 + Math.floor(rand() * 3);
  for (let s = 0; s < structs; s++) {
    const st = cap(name(rand, s));
    out.push(`// ${st} keeps ${pick(rand, WORDS)} state.`, `type ${st} struct {`, `\tItems []string`, `\tSize  int`, `}`, "");
    const methods = 2 + Math.floor(rand() * 3);
    for (let m = 0; m < methods; m++) {
      out.push(
        `// ${cap(name(rand, m))} adds a value.`,
        `func (r *${st}) ${cap(name(rand, m))}(value string) int {`,
        `\tr.Items = append(r.Items, strings.TrimSpace(value))`,
        `\treturn len(r.Items) * r.Size`,
        `}`,
        "",
      );
    }
  }
  const functions = 2 + Math.floor(rand() * 4);
  for (let f = 0; f < functions; f++) {
    out.push(
      `// ${cap(name(rand, f))} filters entries.`,
      `func ${cap(name(rand, f))}(items []string, limit int) []string {`,
      `\tout := []string{}`,
      `\tfor _, item := range items {`,
      `\t\tif len(item) < limit {`,
      `\t\t\tout = append(out, item)`,
      `\t\t}`,
      `\t}`,
      `\treturn out`,
      `}`,
      "",
    );
  }
  return out.join("\n");
}

/** Writes `count` source files under `dir` and commits them; returns the file paths. */
export function generateRepository(dir: string, count: number): string[] {
  const rand = random(20_000);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const pkg = `pkg${String(Math.floor(i / 100)).padStart(3, "0")}`;
    const kind = i % 4; // 2 TypeScript : 1 Python : 1 Go
    const base = kind === 2 ? `services/${pkg}` : kind === 3 ? `go/${pkg}` : `packages/${pkg}/src`;
    const ext = kind === 2 ? "py" : kind === 3 ? "go" : "ts";
    const file = `${base}/mod${String(i).padStart(5, "0")}.${ext}`;
    const content = ext === "ts" ? typescriptFile(rand) : ext === "py" ? pythonFile(rand) : goFile(rand, pkg);
    mkdirSync(join(dir, base), { recursive: true });
    writeFileSync(join(dir, file), content);
    paths.push(file);
  }
  writeFileSync(join(dir, "README.md"), "# Synthetic benchmark repository\n");
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      stdio: "ignore",
      env: { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@example.com", GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z" },
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  // 20,000 loose objects would start `git gc --auto` in the background, competing with the build
  // being measured; pack them here instead, as a cloned repository's are.
  git("-c", "gc.auto=0", "commit", "-q", "-m", "synthetic repository");
  git("repack", "-a", "-d", "-q");
  return paths;
}
