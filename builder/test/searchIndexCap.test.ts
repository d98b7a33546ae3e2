/**
 * search.json keeps only the best-ranked entries up to its cap (60,000; injected small here): with
 * more candidates than the cap it holds exactly the cap, the top of the full ranking (the package
 * and its API first, then the rest of the package source; docs, examples and tests after), the same bytes however
 * extraction ran, and the manifest and llms.txt say that it was capped and by how much.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchIndex } from "@doctown/core/docpackFormat";
import { buildDocpack, type BuildTuning } from "../src/build";
import { MAX_SEARCH_ENTRIES } from "../src/document/structure";
import { openDocpack } from "./fixtures/docpack";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";

const CAP = 10;
const functions = (prefix: string, n: number, exported = true) =>
  Array.from({ length: n }, (_, i) => `${exported ? "export " : ""}function ${prefix}${i}(): void {}\n`).join("");

// The best 10: the package and its 9 API functions. The other candidates come first in build order
// (examples, then exported functions outside the API), so the index holds more than twice the cap
// before it trims. Left out: those, private source functions, the guide, the tests.
const FILES: Record<string, string> = {
  "package.json": JSON.stringify({ name: "tiny-lib", version: "1.0.0", main: "src/index.ts" }),
  "src/index.ts": 'export * from "./lib";\n',
  "src/lib.ts": functions("api", 9) + functions("hidden", 3, false),
  "src/extra.ts": functions("extra", 9),
  "docs/guide.md": "# Guide\n\n## One\n\n## Two\n\n## Three\n",
  "examples/demo.ts": functions("demo", 12),
  "test/lib.test.ts": functions("check", 8),
};

let root: string;
let repo: string;
let builds = 0;
async function build(tuning: BuildTuning) {
  const outFile = path.join(root, `out-${++builds}.zip`);
  await buildDocpack({ source: repo, outFile, allowLocal: true, llm: false, env: {} }, tuning);
  const pack = openDocpack(outFile);
  return { pack, search: SearchIndex.parse(JSON.parse(pack.text("search.json"))), searchText: pack.text("search.json") };
}

let full: Awaited<ReturnType<typeof build>>;
let capped: Awaited<ReturnType<typeof build>>;

beforeAll(async () => {
  root = tempDir();
  repo = path.join(root, "repo");
  createRepo(repo, FILES);
  full = await build({});
  capped = await build({ document: { maxSearchEntries: CAP } });
}, 60_000);
afterAll(() => removeDir(root));

describe("search index cap", () => {
  it("holds every candidate below the cap, and the manifest says none was left out", () => {
    const entries = full.search.entries;
    expect(entries.length).toBeGreaterThan(3 * CAP);
    expect(full.pack.manifest.stats.search_index).toEqual({ entries: entries.length, omitted: 0, max_entries: MAX_SEARCH_ENTRIES });
    expect(full.pack.text("llms.txt")).not.toMatch(/capped|best-ranked/);
    // every kind of candidate is there, in rank order: source, docs, examples, tests
    const roles = entries.map((entry) => entry[3]);
    expect([...new Set(roles)]).toEqual(["source", "docs", "example", "test"]);
  });

  it("keeps exactly the cap: the top of the full ranking, package source first", () => {
    const entries = capped.search.entries;
    expect(entries).toHaveLength(CAP);
    expect(entries).toEqual(full.search.entries.slice(0, CAP));
    expect(entries.map((entry) => entry[0])).toEqual(["tiny-lib", ...Array.from({ length: 9 }, (_, i) => `api${i}`)]);
    expect(entries[0]!.slice(0, 2)).toEqual(["tiny-lib", "package"]);
    expect(entries.slice(1).every((entry) => entry[1] === "function" && entry[2].startsWith("docs/files/src/lib.ts.md#"))).toBe(true);
    expect(entries.every((entry) => entry[3] === "source")).toBe(true);
    // left out of the index, not of the docpack
    expect(capped.pack.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(["extra0", "hidden0", "demo0", "check0"]));
  });

  it("says in the manifest and llms.txt that the index was capped", () => {
    const omitted = full.search.entries.length - CAP;
    expect(capped.pack.manifest.stats.search_index).toEqual({ entries: CAP, omitted, max_entries: CAP });
    expect(capped.pack.text("llms.txt")).toContain(`- [Search index](search.json): the best-ranked ${CAP} of ${CAP + omitted} entries (capped; every symbol is in symbols.json)`);
  });

  it("is the same index however extraction ran", async () => {
    const again = await build({ document: { maxSearchEntries: CAP }, workers: 2, extractInlineBelowBytes: 0 });
    expect(again.searchText).toBe(capped.searchText);
  }, 60_000);
});
