import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Manifest } from "@doctown/core/docpackFormat";
import { documentDepsFromEnv, documentStage } from "../src/stages/document";
import OpenAI from "openai";
import { documentWithLlm, type LlmSettings } from "../src/document/llm";
import type { DocumentInput } from "../src/types";
import { sampleInput, sourceFile, summariesOf } from "./documentFixtures";
import { waitFor } from "./callbackServer";
import { startOpenAiServer } from "./openaiServer";
import { headings, rawHtml, renderedHtml } from "./markdownStructure";

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "doctown-doc-cache-"));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function env(baseURL: string, extra: Record<string, string> = {}) {
  return { OPENAI_API_KEY: "sk-test-key", OPENAI_BASE_URL: baseURL, DOCTOWN_MODEL: "test-model", DOCTOWN_CACHE_DIR: cacheDir, ...extra };
}

function manyFiles(count: number): DocumentInput {
  const files = Array.from({ length: count }, (_, i) =>
    sourceFile(`src/f${String(i).padStart(2, "0")}.ts`, `export function fn${i}() { return ${i}; }\n`, [{ name: `fn${i}` }]),
  );
  return { repoName: "acme/many", files };
}

describe("document stage with an OpenAI-compatible server", () => {
  it("sends one request per file with bounded concurrency and uses the answers", async () => {
    const server = await startOpenAiServer({ delayMs: 60 });
    try {
      const deps = documentDepsFromEnv(env(server.baseURL, { DOCTOWN_LLM_CONCURRENCY: "3" }));
      const input = manyFiles(10);
      const out = await documentStage(input, deps);

      expect(server.requests.map((r) => r.path).sort()).toEqual(manyFiles(10).files.map((f) => f.path));
      expect(server.maxInFlight).toBe(3);
      expect(server.requests.every((r) => r.model === "test-model" && r.authorization === "Bearer sk-test-key")).toBe(true);
      expect(out.docs.mode).toBe("llm");
      expect(out.docs.model).toBe("test-model");
      expect(out.docs.input_tokens).toBeGreaterThan(0);
      expect(out.docs.output_tokens).toBeGreaterThan(0);
      expect(out.docs.placeholder_files).toBeUndefined();
      expect(summariesOf(out, input).get("src/f03.ts#fn3")).toBe("LLM says fn3 works.");
      const page = out.filePages.get("src/f03.ts")!;
      expect(page).toContain("LLM summary of src/f03.ts.");
      expect(page).toContain("`test-model`");
      expect(page).not.toContain("Placeholder");
      expect(out.index).toContain("LLM summary of src/f03.ts.");
      expect(() => Manifest.shape.docs.parse(out.docs)).not.toThrow();
    } finally {
      await server.close();
    }
  });

  it("retries a 429 after the Retry-After delay", async () => {
    const server = await startOpenAiServer({
      script: (_request, index) => (index === 0 ? { status: 429, headers: { "retry-after": "1" } } : undefined),
    });
    try {
      const started = Date.now();
      const input = manyFiles(1);
      const out = await documentStage(input, documentDepsFromEnv(env(server.baseURL)));
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(server.requests.map((r) => r.path)).toEqual(["src/f00.ts", "src/f00.ts"]);
      expect(summariesOf(out, input).get("src/f00.ts#fn0")).toBe("LLM says fn0 works.");
    } finally {
      await server.close();
    }
  });

  /** Five files, a budget for two: every answer costs 2,000 tokens, a request reserves ~1,300 up front. */
  async function withBudgetForTwo(test: (deps: ReturnType<typeof documentDepsFromEnv>, server: Awaited<ReturnType<typeof startOpenAiServer>>) => Promise<void>) {
    const server = await startOpenAiServer({ usage: { prompt: 1_000, completion: 1_000 } });
    try {
      await test(documentDepsFromEnv(env(server.baseURL, { DOCTOWN_TOKEN_BUDGET: "5000", DOCTOWN_LLM_CONCURRENCY: "1" })), server);
    } finally {
      await server.close();
    }
  }

  it("documents files beyond the token budget with recorded placeholders", async () => {
    await withBudgetForTwo(async (deps, server) => {
      const input = manyFiles(5);
      const out = await documentStage(input, deps);
      expect(server.requests.map((r) => r.path)).toEqual(["src/f00.ts", "src/f01.ts"]);
      expect(out.docs).toEqual({ mode: "llm", model: "test-model", input_tokens: 2_000, output_tokens: 2_000, placeholder_files: 3 });
      expect(out.filePages.get("src/f01.ts")).toContain("LLM summary");
      const skipped = out.filePages.get("src/f04.ts")!;
      expect(skipped).toContain("**Placeholder documentation**");
      expect(skipped).toContain("token budget was used up");
      // beyond the budget nothing is invented: no summary without a doc comment
      expect(summariesOf(out, input).has("src/f04.ts#fn4")).toBe(false);
      expect(out.index).toContain("3 files have placeholder documentation");
      expect([...out.filePages.keys()]).toEqual(input.files.map((file) => file.path));
    });
  });

  it("holds only what the model wrote, and reads no file once the budget is spent", async () => {
    await withBudgetForTwo(async (deps) => {
      const files = manyFiles(5).files;
      const reads = files.map(() => 0);
      files.forEach((file, i) => {
        const text = file.content;
        Object.defineProperty(file, "content", { get: () => (reads[i]++, text), enumerable: false }); // as extract leaves it
      });
      const held = await documentWithLlm(files, deps.llm!);
      expect(reads).toEqual([1, 1, 0, 0, 0]);
      expect([...held.filePages.keys()]).toEqual(["src/f00.ts", "src/f01.ts"]);
      expect([...held.summaries.keys()]).toEqual(["src/f00.ts#fn0", "src/f01.ts#fn1"]);
      expect([...held.placeholders]).toEqual([["src/f02.ts", "budget"], ["src/f03.ts", "budget"], ["src/f04.ts", "budget"]]);
    });
  });

  it("pays only for changed files on a rebuild (cache by model, prompt version, sha256)", async () => {
    const server = await startOpenAiServer();
    try {
      const deps = documentDepsFromEnv(env(server.baseURL));
      const first = await documentStage(sampleInput(), deps);
      expect(server.requests).toHaveLength(3);

      const again = await documentStage(sampleInput(), documentDepsFromEnv(env(server.baseURL)));
      expect(server.requests).toHaveLength(3); // zero new requests
      expect([...again.filePages]).toEqual([...first.filePages]);
      expect([...summariesOf(again, sampleInput())]).toEqual([...summariesOf(first, sampleInput())]);
      expect(again.docs.input_tokens).toBe(0);

      const changed = sampleInput();
      changed.files[1] = sourceFile("src/shapes.ts", "export class Square {}\n", [{ name: "Square", kind: "class" }]);
      await documentStage(changed, documentDepsFromEnv(env(server.baseURL)));
      expect(server.requests.slice(3).map((r) => r.path)).toEqual(["src/shapes.ts"]);

      // Another model is another cache entry.
      await documentStage(sampleInput(), documentDepsFromEnv(env(server.baseURL, { DOCTOWN_MODEL: "other-model" })));
      expect(server.requests).toHaveLength(7);
    } finally {
      await server.close();
    }
  });

  it("keeps the model's Markdown inside the Overview section, without HTML, however it was steered", async () => {
    const fileSummary = [
      "Helpers for **widgets**, see `loadWidget()`.",
      "",
      "<img src=x onerror=alert(document.domain)>",
      "# Injected heading",
      "Setext heading",
      "===",
      "",
      "```",
      "unclosed fence swallowing the page",
    ].join("\n");
    const symbolSummaries: Record<string, string> = { first: "~~~ <img src=x onerror=alert(1)>", second: "# heading\n---\n1. x" };
    const server = await startOpenAiServer({
      script: () => ({
        content: JSON.stringify({
          file_summary: fileSummary,
          symbols: Object.entries(symbolSummaries).map(([name, summary]) => ({ name, summary })),
        }),
      }),
    });
    try {
      const input: DocumentInput = {
        repoName: "acme/steered",
        files: [sourceFile("src/a.ts", "export function first() {}\nexport function second() {}\n", [{ name: "first" }, { name: "second" }])],
      };
      const out = await documentStage(input, documentDepsFromEnv(env(server.baseURL)));
      const page = out.filePages.get("src/a.ts")!;
      expect(page).not.toContain("Placeholder");
      expect(headings(page)).toEqual(["# `src/a.ts`", "## About this file", "## Symbols", "### `first`", "### `second`"]);
      expect(rawHtml(page)).toEqual([]);
      expect(renderedHtml(page)).toContain("<strong>widgets</strong>, see <code>loadWidget()</code>");
      expect(renderedHtml(page)).toContain("<p>~~~ &lt;img src=x onerror=alert(1)&gt;</p>");
      expect(renderedHtml(page)).toContain("<p># heading --- 1. x</p>");
      expect(rawHtml(out.index)).toEqual([]);
      expect(headings(out.index)).toEqual(["# acme/steered", "## Languages", "## Top-level exported symbols", "## Source files"]);
    } finally {
      await server.close();
    }
  });

  it("turns an unusable answer into a placeholder for that file only, and does not cache it", async () => {
    const server = await startOpenAiServer({
      script: (request) => (request.path === "src/math.ts" ? { content: "Sure! Here are the docs: …" } : undefined),
    });
    try {
      const input = sampleInput();
      const out = await documentStage(input, documentDepsFromEnv(env(server.baseURL)));
      expect(out.docs.placeholder_files).toBe(1);
      expect(out.filePages.get("src/math.ts")).toContain("no usable answer");
      expect(summariesOf(out, input).get("src/math.ts#add")).toBe("Adds two numbers.");
      expect(out.filePages.get("src/shapes.ts")).toContain("LLM summary");

      await documentStage(sampleInput(), documentDepsFromEnv(env(server.baseURL)));
      expect(server.requests.slice(3).map((r) => r.path)).toEqual(["src/math.ts"]);
    } finally {
      await server.close();
    }
  });

  it("stops asking after an authentication error instead of failing every file slowly", async () => {
    const server = await startOpenAiServer({ script: () => ({ status: 401 }) });
    try {
      const deps = documentDepsFromEnv(env(server.baseURL, { DOCTOWN_LLM_CONCURRENCY: "1" }));
      const out = await documentStage(manyFiles(6), deps);
      expect(server.requests).toHaveLength(1);
      expect(out.docs.placeholder_files).toBe(6);
      expect(out.filePages.get("src/f05.ts")).toContain("**Placeholder documentation**");
    } finally {
      await server.close();
    }
  });

  /** Settings as documentDepsFromEnv makes them, but without the SDK's retries (they take seconds). */
  function withoutRetries(baseURL: string): LlmSettings {
    const { llm } = documentDepsFromEnv(env(baseURL, { DOCTOWN_LLM_CONCURRENCY: "1" }));
    return { ...llm!, client: new OpenAI({ apiKey: "sk-test-key", baseURL, maxRetries: 0 }) };
  }

  it("stops asking after three failures in a row (each past the SDK's retries); an answer resets the count", async () => {
    const answered = new Set([2]);
    const server = await startOpenAiServer({ script: (_request, i) => (answered.has(i) ? undefined : { status: 503 }) });
    try {
      const out = await documentWithLlm(manyFiles(10).files, withoutRetries(server.baseURL));
      expect(server.requests.map((r) => r.path)).toEqual(["src/f00.ts", "src/f01.ts", "src/f02.ts", "src/f03.ts", "src/f04.ts", "src/f05.ts"]);
      expect([...out.filePages.keys()]).toEqual(["src/f02.ts"]);
      expect(out.placeholderFiles).toBe(9);
      expect(new Set(out.placeholders.values())).toEqual(new Set(["llm-error"]));
    } finally {
      await server.close();
    }
  });

  it("gives up on an endpoint that drops every connection, the same way", async () => {
    let connections = 0;
    const dropper = createServer((socket) => (connections++, socket.destroy()));
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = dropper.address() as AddressInfo;
      const out = await documentWithLlm(manyFiles(8).files, withoutRetries(`http://127.0.0.1:${port}/v1`));
      expect(connections).toBe(3);
      expect(out.placeholderFiles).toBe(8);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });

  it("sends only the (already redacted) file content it was given, trimmed to the budget", async () => {
    const server = await startOpenAiServer();
    try {
      const big = "x".repeat(100) + "\n";
      const input: DocumentInput = {
        repoName: "acme/big",
        files: [sourceFile("src/big.ts", `export function big() {}\n${big.repeat(2_000)}`, [{ name: "big" }])],
      };
      await documentStage(input, documentDepsFromEnv(env(server.baseURL)));
      const message = server.requests[0].userMessage;
      expect(message.length).toBeLessThan(6_000 * 4);
      expect(message).toMatch(/more lines truncated/);
      expect(message).toContain("export function big() {}");
    } finally {
      await server.close();
    }
  });

  it("stops when the build is cancelled", async () => {
    // Slow answers: the build is cancelled while both requests it may have open still wait.
    const server = await startOpenAiServer({ delayMs: 10_000 });
    try {
      const controller = new AbortController();
      const deps = { ...documentDepsFromEnv(env(server.baseURL, { DOCTOWN_LLM_CONCURRENCY: "2" })), signal: controller.signal };
      const pending = documentStage(manyFiles(10), deps);
      await waitFor(() => server.requests.length === 2);
      controller.abort();
      await expect(pending).rejects.toThrow();
      // Every other file checks the signal before asking (a request after the abort is not sent).
      expect(server.requests.length).toBe(2);
    } finally {
      await server.close();
    }
  });
});
