/**
 * The bundles the Docker image and the benchmark run (scripts/bundle.ts): the CLI builds a real
 * repository large enough to use the extraction worker (dist/worker.mjs), and the RunPod server
 * bundle starts and guards its API.
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleBuilder } from "../scripts/bundle";
import { openDocpack } from "./fixtures/docpack";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";
import { startOpenAiServer } from "./openaiServer";

const builderRoot = fileURLToPath(new URL("..", import.meta.url));
const FILES = 60;
/** one-line functions per file: 60 × 183 symbols is past the 10,000 from which a worker writes symbols.json */
const PADDING = 180;

let root: string;
let outDir: string;
let bundles: Awaited<ReturnType<typeof bundleBuilder>>;

/** ~16 KB of TypeScript: a documented function, a class with a method, and many small functions. */
function sourceOf(i: number): string {
  const filler = Array.from({ length: PADDING }, (_, line) => `export function pad${i}_${line}(): number { return ${line}; } // past 512 KB in all: workers`).join("\n");
  return `/** Computes item ${i}. */\nexport function compute${i}(x: number): number {\n  return x * ${i};\n}\n\nexport class Holder${i} {\n  get(): number {\n    return ${i};\n  }\n}\n${filler}\n`;
}

beforeAll(async () => {
  root = tempDir();
  // Inside the workspace: the bundles load web-tree-sitter and the grammars from node_modules.
  outDir = mkdtempSync(path.join(builderRoot, ".bundle-test-"));
  bundles = await bundleBuilder(outDir);
  const files: Record<string, string> = { "README.md": "# bundled\n" };
  for (let i = 0; i < FILES; i++) files[`src/part${i}.ts`] = sourceOf(i);
  createRepo(path.join(root, "repo"), files);
}, 60_000);
afterAll(() => {
  removeDir(root);
  removeDir(outDir);
});

let app: string | undefined;
/**
 * The Docker image's kind of layout (builder/Dockerfile): the bundles, the builder's package.json
 * and the two tree-sitter packages; made once, outside the workspace, so nothing can resolve from
 * its node_modules. (runpodWorker.test.ts replays the Dockerfile's own COPY lines.)
 */
function imageLayout(): string {
  if (app) return app;
  const dir = path.join(root, "app");
  cpSync(outDir, path.join(dir, "builder", "dist"), { recursive: true });
  cpSync(path.join(builderRoot, "package.json"), path.join(dir, "builder", "package.json"));
  const require = createRequire(path.join(builderRoot, "package.json"));
  for (const name of ["web-tree-sitter", "@vscode/tree-sitter-wasm"]) {
    // The package's own folder (web-tree-sitter does not export its package.json).
    let source = path.dirname(require.resolve(name === "web-tree-sitter" ? name : `${name}/package.json`));
    while (!source.endsWith(path.join("node_modules", name))) source = path.dirname(source);
    const target = path.join(dir, "node_modules", name);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true });
  }
  return (app = dir);
}

/** Starts a bundled RunPod server on a free port: 401 without the key, 404 for an unknown job with it. */
async function expectGuardedServer(file: string): Promise<void> {
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH, HOME: root, RUNPOD_API_KEY: "bundle-test-key", PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    });
    const anonymous = await fetch(`${url}/v2/doctown/status/nope`);
    expect(anonymous.status).toBe(401);
    const authorised = await fetch(`${url}/v2/doctown/status/nope`, { headers: { authorization: "Bearer bundle-test-key" } });
    expect(authorised.status).toBe(404);
  } finally {
    child.kill("SIGTERM");
  }
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: root, env: { PATH: process.env.PATH!, HOME: root, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("builder bundles", () => {
  it("writes every entry point next to the extraction worker", () => {
    for (const file of Object.values(bundles)) expect(existsSync(file)).toBe(true);
    expect(path.dirname(bundles.worker)).toBe(path.dirname(bundles.cli));
    expect(path.basename(bundles.worker)).toBe("worker.mjs");
  });

  it("the bundled CLI builds a repository with worker threads into a valid docpack", async () => {
    const out = path.join(root, "bundled.zip");
    const { code, stdout, stderr } = await run(bundles.cli, ["repo", "--no-llm", "--json", "--out", out]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ files: FILES + 1, symbols: FILES * (3 + PADDING) });
    expect(summary.peak_rss_bytes).toBeGreaterThan(0);
    expect(Object.keys(summary.stage_ms)).toEqual(["clone", "scan", "extract", "document", "pack"]);
    const docpack = openDocpack(out);
    expect(docpack.symbols).toHaveLength(FILES * (3 + PADDING));
    const byName = new Map(docpack.symbols.map((symbol) => [`${symbol.file}#${symbol.name}`, symbol]));
    for (let i = 0; i < FILES; i++) {
      // symbols.json comes from the bundled symbols worker: summaries from the doc comments included
      expect(byName.get(`src/part${i}.ts#compute${i}`)?.summary).toBe(`Computes item ${i}.`);
      expect(byName.get(`src/part${i}.ts#get`)?.parent).toBe(`Holder${i}`);
      expect(byName.has(`src/part${i}.ts#pad${i}_${PADDING - 1}`)).toBe(true);
    }
    expect(docpack.manifest.generator.version).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);

  it("compiles through Node's compile cache, in the worker threads too, unless it is turned off", async () => {
    /** What the cache directory under `tmp` holds: each entry's bytes as text (they name the script they cache). */
    const cached = (tmp: string) => {
      const dir = path.join(tmp, "node-compile-cache");
      if (!existsSync(dir)) return [];
      return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), "latin1"));
    };
    const on = path.join(root, "tmp-cache-on");
    const off = path.join(root, "tmp-cache-off");
    mkdirSync(on);
    mkdirSync(off);
    expect((await run(bundles.cli, ["repo", "--no-llm", "--out", path.join(root, "cached.zip")], { TMPDIR: on })).code).toBe(0);
    const entries = cached(on);
    expect(entries.some((text) => text.includes("cli.body.mjs"))).toBe(true);
    expect(entries.some((text) => /[/\\]worker\.mjs/.test(text))).toBe(true);
    expect((await run(bundles.cli, ["repo", "--no-llm", "--out", path.join(root, "uncached.zip")], { TMPDIR: off, NODE_DISABLE_COMPILE_CACHE: "1" })).code).toBe(0);
    expect(cached(off)).toEqual([]);
  }, 60_000);

  it("runs with nothing but the two tree-sitter packages beside it (the Docker image's layout), LLM mode included", async () => {
    const app = imageLayout();
    expect(readdirSync(path.join(app, "node_modules")).sort()).toEqual(["@vscode", "web-tree-sitter"]);
    const cli = path.join(app, "builder", "dist", "cli.mjs");

    const placeholders = await run(cli, ["repo", "--no-llm", "--json", "--out", path.join(root, "image.zip")]);
    expect(placeholders.stderr).toBe("");
    expect(JSON.parse(placeholders.stdout)).toMatchObject({ symbols: FILES * (3 + PADDING), docs: { mode: "placeholder" } });

    const server = await startOpenAiServer();
    try {
      createRepo(path.join(root, "small"), { "src/one.ts": "/** One. */\nexport function one() {}\n", "README.md": "# small\n" });
      const llm = await run(cli, ["small", "--json", "--out", path.join(root, "small.zip")], {
        OPENAI_API_KEY: "test-key",
        OPENAI_BASE_URL: server.baseURL,
        DOCTOWN_CACHE_DIR: path.join(root, "llm-cache"),
      });
      expect(llm.stderr).toBe("");
      expect(JSON.parse(llm.stdout).docs).toMatchObject({ mode: "llm" });
      // the model reads code; the README is a prose page of its own
      expect(server.requests.map((request) => request.path).sort()).toEqual(["src/one.ts"]);
      expect(openDocpack(path.join(root, "small.zip")).text("docs/files/src/one.ts.md")).toContain("Generated by a language model");
    } finally {
      await server.close();
    }
  }, 60_000);

  it("the bundled RunPod server starts and refuses requests without its key", async () => {
    await expectGuardedServer(bundles["runpod-serve"]);
  }, 30_000);
});
