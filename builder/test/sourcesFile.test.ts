/** The source/ entries deflated on a worker thread from the text spool, and packed from there. */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { Manifest } from "@doctown/core/docpackFormat";
import { Spool } from "../src/extract/spool";
import { writeSourcesFile, writeSourcesFileInWorker, type SourcesFileTask } from "../src/pack/sourcesFile";
import { packStage } from "../src/stages/pack";
import { DEFLATE_LEVEL } from "../src/pack/zipWriter";
import { openDocpack } from "./fixtures/docpack";
import { caseDirs, removeDir, tempDir } from "./fixtures/gitRepo";
import { fileEntry, v2Manifest } from "./fixtures/v2";

const root = tempDir();
afterAll(() => removeDir(root));
const freshDir = caseDirs(root);

/** Texts as a build spools them: non-ASCII, empty, large and repetitive, one line without a newline. */
const TEXTS: Array<[string, string]> = [
  ["src/a.ts", "export const größe = 1; // 日本語 ✓\n"],
  ["src/empty.ts", ""],
  ["docs/guide.md", `# Guide\n\n${"Some prose that repeats. ".repeat(4_000)}\n`],
  ["src/b.py", "def f():\n    return 1"],
];

/** The texts in a fresh spool (with something before them, as in a real build) and the task. */
function spooled(texts = TEXTS): SourcesFileTask {
  const dir = freshDir();
  const spool = new Spool(path.join(dir, "texts"));
  spool.write("not one of these files\n");
  const ranges = texts.map(([, text]) => spool.write(text));
  spool.close();
  return { spoolFile: spool.file, ranges, outFile: path.join(dir, "sources.deflate"), level: DEFLATE_LEVEL };
}

function inflated(file: string, entries: Array<{ compressed: number }>): Buffer[] {
  const bytes = readFileSync(file);
  let at = 0;
  return entries.map(({ compressed }) => inflateRawSync(bytes.subarray(at, (at += compressed))));
}

const manifest = () => v2Manifest({ languages: { typescript: 2 }, files: TEXTS.length, symbols: 0, bytes: 1 });

const packInput = (sources: Parameters<typeof packStage>[0]["sources"]) => ({
  manifest: manifest(),
  files: TEXTS.map(([p], i) => fileEntry({ path: p, language: "typescript", bytes: 1, lines: 1, sha256: String(i).repeat(64), symbols: 0 })),
  symbols: [],
  index: "# demo\n",
  filePages: new Map(TEXTS.map(([p]) => [p, `# ${p}\n`])),
  sources,
});

describe("source/ entries deflated from the spool", () => {
  it("holds every text exactly, with its size and CRC-32, in this thread and in a worker", async () => {
    const here = await writeSourcesFile(spooled());
    const task = spooled();
    const there = await writeSourcesFileInWorker(TEXTS.map(([p]) => p), task).result;
    for (const done of [here, there]) {
      expect(done.entries).toHaveLength(TEXTS.length);
      const texts = inflated(done.file, done.entries);
      TEXTS.forEach(([, text], i) => {
        const bytes = Buffer.from(text, "utf8");
        expect(texts[i]!.equals(bytes)).toBe(true);
        expect(done.entries[i]).toMatchObject({ size: bytes.length, crc: crc32(bytes) });
      });
    }
    expect(readFileSync(there.file).equals(readFileSync(here.file))).toBe(true);
  });

  it("gives the same docpack, byte for byte, as deflating the texts in this thread", async () => {
    const dir = freshDir();
    await packStage(packInput(TEXTS.map(([p, content]) => ({ path: p, content }))), path.join(dir, "direct.zip"));
    await packStage(packInput(writeSourcesFileInWorker(TEXTS.map(([p]) => p), spooled())), path.join(dir, "worker.zip"));
    expect(readFileSync(path.join(dir, "worker.zip")).equals(readFileSync(path.join(dir, "direct.zip")))).toBe(true);
    const pack = openDocpack(path.join(dir, "worker.zip"));
    for (const [p, text] of TEXTS) expect(pack.text(`source/${p}`)).toBe(text);
  });

  it("packs deflated sources larger than one read (several MB, texts across reads) exactly", async () => {
    const dir = freshDir();
    // Barely compressible texts: ~1.9 MB deflated, so pack reads the worker's file in two pieces.
    const big = Array.from({ length: 40 }, (_, i): [string, string] => [`src/n${i}.ts`, randomBytes(45_000 + i * 97).toString("base64")]);
    const input = (sources: Parameters<typeof packStage>[0]["sources"]) => ({
      ...packInput(sources),
      files: big.map(([p], i) => fileEntry({ path: p, language: "typescript", bytes: 1, lines: 1, sha256: String(i % 10).repeat(64), symbols: 0 })),
      filePages: new Map(big.map(([p]) => [p, `# ${p}\n`])),
    });
    const job = writeSourcesFileInWorker(big.map(([p]) => p), spooled(big));
    await packStage(input(job), path.join(dir, "worker.zip"));
    expect(statSync((await job.result).file).size).toBeGreaterThan(1.5 * 1024 * 1024);
    await packStage(input(big.map(([p, content]) => ({ path: p, content }))), path.join(dir, "direct.zip"));
    expect(readFileSync(path.join(dir, "worker.zip")).equals(readFileSync(path.join(dir, "direct.zip")))).toBe(true);
    const pack = openDocpack(path.join(dir, "worker.zip"));
    for (const [p, text] of big) expect(pack.text(`source/${p}`)).toBe(text);
  });

  it("a worker that cannot read the spool fails pack, and leaves no docpack behind", async () => {
    const dir = freshDir();
    const task = { ...spooled(), spoolFile: path.join(freshDir(), "gone") };
    await expect(packStage(packInput(writeSourcesFileInWorker(TEXTS.map(([p]) => p), task)), path.join(dir, "failed.zip"))).rejects.toMatchObject({
      code: "pack_failed",
      message: expect.stringContaining("ENOENT"),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a docpack refused before writing starts (bad manifest) stops the worker too", async () => {
    const dir = freshDir();
    // Enough text that the worker is still at it when pack refuses the manifest.
    const many = Array.from({ length: 400 }, (_, i): [string, string] => [`src/f${i}.ts`, `export const v${i} = "${"x".repeat(20_000)}${i}";\n`]);
    const job = writeSourcesFileInWorker(many.map(([p]) => p), spooled(many));
    const input = { ...packInput(job), manifest: { ...manifest(), format_version: 3 } as unknown as Manifest };
    await expect(packStage(input, path.join(dir, "refused.zip"))).rejects.toMatchObject({ code: "invalid_docpack" });
    await expect(job.result).rejects.toThrow(/exited/);
    expect(existsSync(path.join(dir, "refused.zip"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
