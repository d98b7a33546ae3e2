/**
 * The document stage inside a real build: a git repository made here, buildDocpack with the LLM
 * pointed at a local OpenAI-compatible server, and the resulting docpack read back and validated.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strFromU8, unzipSync } from "fflate";
import { Manifest, SymbolsJson } from "@doctown/core/docpackFormat";
import { buildDocpack } from "../src/build";
import { startOpenAiServer } from "./openaiServer";

let root: string;
let repo: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "doctown-doc-build-"));
  repo = join(root, "repo");
  const files: Record<string, string> = {
    "src/a.ts": "/** Says hello. */\nexport function hello(name: string) { return `hi ${name}`; }\n",
    "src/b.py": "class Greeter:\n    def greet(self):\n        return 'hi'\n",
    "src/c.go": "package c\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n",
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e.com" };
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "init"]]) execFileSync("git", args, { cwd: repo, env });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function readDocpack(file: string) {
  const zip = unzipSync(readFileSync(file));
  return {
    manifest: Manifest.parse(JSON.parse(strFromU8(zip["manifest.json"]))),
    symbols: SymbolsJson.parse(JSON.parse(strFromU8(zip["symbols.json"]))),
    page: (path: string) => strFromU8(zip[`docs/files/${path}.md`]),
    index: strFromU8(zip["docs/index.md"]),
  };
}

describe("document stage in a real build", () => {
  it("writes LLM docs, records budget placeholders in the manifest, and reuses the cache", async () => {
    const server = await startOpenAiServer({ usage: { prompt: 1_000, completion: 1_000 } });
    const env = {
      OPENAI_API_KEY: "sk-local",
      OPENAI_BASE_URL: server.baseURL,
      DOCTOWN_MODEL: "local-model",
      DOCTOWN_CACHE_DIR: join(root, "cache"),
      DOCTOWN_TOKEN_BUDGET: "5000",
      DOCTOWN_LLM_CONCURRENCY: "1",
      PATH: process.env.PATH,
    };
    try {
      const first = join(root, "first.zip");
      // symbols.json written by the worker (from 0 symbols on) carries the model's summaries
      await buildDocpack({ source: repo, outFile: first, allowLocal: true, env }, { symbolsWorkerFrom: 0 });
      const pack = readDocpack(first);
      expect(server.requests.map((r) => r.path)).toEqual(["src/a.ts", "src/b.py"]);
      expect(pack.manifest.docs).toEqual({ mode: "llm", model: "local-model", input_tokens: 2_000, output_tokens: 2_000, placeholder_files: 1 });
      expect(pack.page("src/a.ts")).toContain("LLM summary of src/a.ts.");
      expect(pack.page("src/c.go")).toContain("token budget was used up");
      expect(pack.symbols.find((s) => s.id === "src/b.py#Greeter.greet")?.summary).toBe("LLM says Greeter.greet works.");
      expect(pack.symbols.find((s) => s.id === "src/c.go#Add")?.summary).toBe("Add adds.");

      // A rebuild asks only for the file the budget left out.
      const second = join(root, "second.zip");
      await buildDocpack({ source: repo, outFile: second, allowLocal: true, env });
      expect(server.requests.map((r) => r.path)).toEqual(["src/a.ts", "src/b.py", "src/c.go"]);
      expect(readDocpack(second).manifest.docs).toMatchObject({ mode: "llm", input_tokens: 1_000, output_tokens: 1_000 });
      expect(readDocpack(second).manifest.docs.placeholder_files).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("without a key writes placeholder docs, marked in the manifest and the pages", async () => {
    const out = join(root, "placeholder.zip");
    // symbols.json written by the worker (from 0 symbols on)
    await buildDocpack({ source: repo, outFile: out, allowLocal: true, env: { PATH: process.env.PATH } }, { symbolsWorkerFrom: 0 });
    const pack = readDocpack(out);
    expect(pack.manifest.docs).toEqual({ mode: "placeholder" });
    expect(pack.page("src/a.ts")).toContain("**Placeholder documentation**");
    expect(pack.index).toContain("**Placeholder documentation**");
    expect(pack.index).toContain("](files/src/b.py.md)");
    expect(pack.symbols.find((s) => s.id === "src/a.ts#hello")?.summary).toBe("Says hello.");
  });
});
