import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressLine } from "../src/cli";
import { openDocpack } from "./fixtures/docpack";
import { createRepo, git, removeDir, tempDir } from "./fixtures/gitRepo";
import { startOpenAiServer } from "./openaiServer";

const BIN = fileURLToPath(new URL("../bin/doctown-build.js", import.meta.url));

let root: string;
let repo: string;

beforeAll(() => {
  root = tempDir();
  repo = path.join(root, "cli-repo");
  createRepo(repo, {
    "src/index.ts": "/** Entry point. */\nexport function main(): void {}\n",
    "lib/tool.py": "def run():\n    pass\n",
    ".env": "SECRET=1\n",
  });
});
afterAll(() => removeDir(root));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: root, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("doctown-build CLI", () => {
  it("builds into ./<repo>.docpack.zip and prints the summary as JSON (exit 0)", async () => {
    const { code, stdout, stderr } = await run([repo, "--json", "--no-llm"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    const outFile = path.join(root, "cli-repo.docpack.zip");
    expect(summary).toMatchObject({
      out_file: outFile,
      commit: git(repo, "rev-parse", "HEAD"),
      git_ref: "HEAD",
      files: 2,
      symbols: 2,
      skipped: { secret_file: 1 },
      languages: { typescript: 1, python: 1 },
      docs: { mode: "placeholder" },
    });
    expect(existsSync(outFile)).toBe(true);
    expect(openDocpack(outFile).symbols.map((s) => s.id)).toEqual(["lib/tool.py#run", "src/index.ts#main"]);
  });

  it("says in its summary which model wrote the docs and how many files it left to placeholders", async () => {
    const server = await startOpenAiServer({ usage: { prompt: 1_000, completion: 1_000 } });
    try {
      const env = { OPENAI_API_KEY: "sk-local", OPENAI_BASE_URL: server.baseURL, DOCTOWN_MODEL: "local-model", DOCTOWN_TOKEN_BUDGET: "3000", DOCTOWN_LLM_CONCURRENCY: "1" };
      const { code, stderr } = await run([repo, "--out", "llm.zip"], env);
      expect(code).toBe(0);
      expect(server.requests).toHaveLength(1);
      expect(stderr).toContain("docs llm (local-model, 1 file with placeholders (token budget or no usable answer))");
    } finally {
      await server.close();
    }
  });

  it("writes --out and a human summary without --json", async () => {
    const { code, stdout, stderr } = await run([repo, "--ref", "main", "--out", "custom.zip", "--no-llm"]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/files\s+2\s+symbols 2/);
    expect(stderr).toContain("skipped  secret_file 1");
    expect(existsSync(path.join(root, "custom.zip"))).toBe(true);
  });

  it("exits 1 with a one-line message when the build fails", async () => {
    const [missingRef, hostile] = await Promise.all([
      run([repo, "--ref", "nope", "--no-llm"]),
      run([repo, "--ref=--upload-pack=touch pwned", "--no-llm"]),
    ]);
    expect(missingRef.code).toBe(1);
    expect(missingRef.stderr).toBe('doctown-build: ref "nope" not found in the repository\n');
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toMatch(/^doctown-build: invalid git ref .*starts with '-'\n$/);
    expect(existsSync(path.join(root, "pwned"))).toBe(false);
  });

  it("exits 2 on usage errors", async () => {
    const cases = [[], [repo, "extra"], [repo, "--bogus"]];
    const results = await Promise.all(cases.map((args) => run(args)));
    results.forEach(({ code, stderr }, i) => {
      expect(code, cases[i].join(" ")).toBe(2);
      expect(stderr).toContain("usage: doctown-build");
    });
  });
});

describe("the progress line", () => {
  const drawn = (columns: number | undefined) => {
    const written: string[] = [];
    const stream = Object.assign(new (class extends Writable {})({ write: (chunk, _encoding, done) => (written.push(String(chunk)), done()) }), { isTTY: true, columns });
    progressLine(stream).update({ stage: "extract", percent: 50, message: "reading files" });
    return written.join("").replace("\r\x1b[2K", "");
  };

  it("keeps the whole line when the terminal's width is unknown (0 or absent), and fits it into a known width", () => {
    const whole = "[############            ]  50% extract: reading files";
    expect(drawn(0)).toBe(whole);
    expect(drawn(undefined)).toBe(whole);
    expect(drawn(20)).toBe(whole.slice(0, 19));
  });
});
