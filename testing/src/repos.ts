/** Real git repositories made in a test (temp dirs, removed by the caller's cleanup). */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Builds in tests never call an LLM, whatever the developer's environment holds. */
export const NO_LLM_ENV = { OPENAI_API_KEY: "" };

export type TestRepo = { path: string; head: string; remove(): void };

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Doctown Test",
  GIT_AUTHOR_EMAIL: "test@doctown.invalid",
  GIT_COMMITTER_NAME: "Doctown Test",
  GIT_COMMITTER_EMAIL: "test@doctown.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" }).trim();
}

/** A repository on branch main with one commit holding `files` (path → content). */
export function makeRepo(files: Record<string, string>): TestRepo {
  const path = mkdtempSync(join(tmpdir(), "doctown-repo-"));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(path, file)), { recursive: true });
    writeFileSync(join(path, file), content);
  }
  git(path, "init", "-q", "-b", "main");
  git(path, "add", "-A");
  git(path, "commit", "-q", "-m", "initial commit");
  return { path, head: git(path, "rev-parse", "HEAD"), remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A small TypeScript + Python project with known symbols. */
export const SAMPLE_FILES: Record<string, string> = {
  "README.md": "# Sample\n\nA sample project for Doctown's end-to-end tests.\n",
  "src/math.ts": [
    "/** Adds two numbers. */",
    "export function add(a: number, b: number): number {",
    "  return a + b;",
    "}",
    "",
    "export class Calculator {",
    "  total = 0;",
    "  /** Adds to the running total. */",
    "  push(value: number): number {",
    "    this.total = add(this.total, value);",
    "    return this.total;",
    "  }",
    "}",
    "",
  ].join("\n"),
  "tools/greet.py": ['def greet(name):', '    """Says hello."""', '    return f"hello {name}"', ""].join("\n"),
};

/** About `count` source files with one function each (benchmarks). */
export function generatedFiles(count: number): Record<string, string> {
  const files: Record<string, string> = { "README.md": "# Generated\n" };
  for (let i = 0; i < count; i++) {
    files[`src/module${Math.floor(i / 20)}/file${i}.ts`] = [
      `/** Function number ${i}. */`,
      `export function fn${i}(x: number): number {`,
      `  return x * ${i} + 1;`,
      "}",
      "",
      `export class Thing${i} {`,
      `  value(): number { return fn${i}(${i}); }`,
      "}",
      "",
    ].join("\n");
  }
  return files;
}
