/** LLM mode keeps the structure: package overviews written by the model, cached, within the budget. */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDocpack } from "../src/build";
import { openDocpack } from "./fixtures/docpack";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";
import { headings } from "./markdownStructure";
import { startOpenAiServer } from "./openaiServer";

let root: string;
let repo: string;
beforeAll(() => {
  root = tempDir();
  repo = path.join(root, "repo");
  createRepo(repo, {
    "README.md": "# Tools\n\nTools for things.\n",
    "package.json": JSON.stringify({ name: "@acme/tools", version: "2.0.0", main: "src/index.ts" }),
    "src/index.ts": 'export { run } from "./run";\n',
    "src/run.ts": "/** Runs it. */\nexport function run(times: number): void {}\n",
  });
});
afterAll(() => removeDir(root));

describe("LLM mode package overviews", () => {
  it("asks the model once per package with its public API, puts the overview in the package page, and caches it", async () => {
    const server = await startOpenAiServer();
    try {
      const env = { OPENAI_API_KEY: "sk-local", OPENAI_BASE_URL: server.baseURL, DOCTOWN_CACHE_DIR: path.join(root, "cache") };
      const first = path.join(root, "first.zip");
      await buildDocpack({ source: repo, outFile: first, allowLocal: true, env });
      const asked = server.requests.filter((r) => r.userMessage.startsWith("Package: "));
      expect(asked).toHaveLength(1);
      expect(asked[0]!.userMessage).toContain("- export function run(times: number): void -- Runs it.");
      expect(asked[0]!.userMessage).toContain("Tools for things.");
      const pack = openDocpack(first);
      const page = pack.text("docs/packages/acme-tools.md");
      expect(headings(page)).toContain("## Overview");
      expect(page).toContain("LLM overview of @acme/tools. It exports 1 APIs.");
      expect(pack.manifest.docs.mode).toBe("llm");
      // the same structure as without a model: prose pages, llms.txt, search index
      expect(pack.names).toEqual(expect.arrayContaining(["docs/pages/README.md.md", "llms.txt", "search.json"]));

      await buildDocpack({ source: repo, outFile: path.join(root, "second.zip"), allowLocal: true, env });
      expect(server.requests.filter((r) => r.userMessage.startsWith("Package: "))).toHaveLength(1);
      expect(openDocpack(path.join(root, "second.zip")).text("docs/packages/acme-tools.md")).toBe(page);
    } finally {
      await server.close();
    }
  });

  it("writes no overview when the budget is spent, and the page keeps everything else", async () => {
    const server = await startOpenAiServer();
    try {
      const env = { OPENAI_API_KEY: "sk-local", OPENAI_BASE_URL: server.baseURL, DOCTOWN_CACHE_DIR: path.join(root, "cache-2"), DOCTOWN_TOKEN_BUDGET: "10" };
      const out = path.join(root, "budget.zip");
      await buildDocpack({ source: repo, outFile: out, allowLocal: true, env });
      expect(server.requests).toHaveLength(0);
      const page = openDocpack(out).text("docs/packages/acme-tools.md");
      expect(page).not.toContain("## Overview");
      expect(page).toContain("export function run(times: number): void");
    } finally {
      await server.close();
    }
  });
});
