/**
 * The build's long-lived pack worker deflating pages for ZipWriter: the same archive as in-thread,
 * entries in order, failures that fail the pack and stop everything, no deadlock at the limits.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import type { DeflatedBatch, Deflater } from "../src/pack/deflateBatch";
import { Spool } from "../src/extract/spool";
import { writeSourcesFileInWorker } from "../src/pack/sourcesFile";
import { PackWorker } from "../src/pack/workerJob";
import { AHEAD, BATCH, DEFLATE_LEVEL, deflatedEntry, ZipWriter } from "../src/pack/zipWriter";
import { packStage } from "../src/stages/pack";
import { caseDirs, removeDir, tempDir } from "./fixtures/gitRepo";
import { fileEntry, v2Manifest } from "./fixtures/v2";

const root = tempDir();
afterAll(() => removeDir(root));
const freshDir = caseDirs(root);

/** Pages of many sizes (empty, tiny, around a batch's byte limit, large), some non-ASCII, some bytes. */
const ENTRIES: Array<[string, string | Uint8Array]> = Array.from({ length: 260 }, (_, i) => {
  const size = [0, 40, 900, 3_000, 20_000, 300_000, 150][(i * 5) % 7]!;
  const text = Array.from({ length: Math.ceil(size / 30) }, (_, j) => `page ${i} — line ${j} ✓ ${"ab".repeat(i % 4)}\n`).join("").slice(0, size);
  return [`docs/p${String(i).padStart(3, "0")}.md`, i % 17 === 5 ? Buffer.from(text, "utf8") : text];
});

/** The real worker, counting what it is asked for (and, when `delayMs`, answering late). */
function counted(worker: PackWorker, delayMs = 0): Deflater & { batches: number; texts: number } {
  const deflater = {
    batches: 0,
    texts: 0,
    async deflate(texts: string[], level: number): Promise<DeflatedBatch> {
      deflater.batches++;
      deflater.texts += texts.length;
      const done = await worker.deflate(texts, level);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return done;
    },
  };
  return deflater;
}

async function writeAll(file: string, options: ConstructorParameters<typeof ZipWriter>[1] = {}): Promise<Buffer> {
  const zip = new ZipWriter(createWriteStream(file), options);
  for (const [i, [name, content]] of ENTRIES.entries()) {
    // One entry deflated elsewhere in the middle: it too keeps its place.
    if (i === 100) {
      const data = Buffer.from("deflated elsewhere ✓\n".repeat(50), "utf8");
      await zip.addDeflated("docs/elsewhere.txt", deflatedEntry(data));
    }
    await zip.add(name, content);
  }
  await zip.finish();
  return readFileSync(file);
}

const EXPECTED_NAMES = [...ENTRIES.slice(0, 100).map(([name]) => name), "docs/elsewhere.txt", ...ENTRIES.slice(100).map(([name]) => name)];

function expectEntries(bytes: Buffer): void {
  const entries = unzipSync(new Uint8Array(bytes));
  expect(Object.keys(entries)).toEqual(EXPECTED_NAMES);
  for (const [name, content] of ENTRIES) expect(Buffer.from(entries[name]!).equals(Buffer.from(content)), name).toBe(true);
}

describe("pages deflated on the pack worker", () => {
  it("gives the same archive, byte for byte, as deflating in this thread, entries in the order added", async () => {
    const dir = freshDir();
    const here = await writeAll(path.join(dir, "here.zip"), { poolFromBytes: Number.POSITIVE_INFINITY });
    const pooled = await writeAll(path.join(dir, "pool.zip"));
    const worker = new PackWorker();
    try {
      const deflater = counted(worker);
      const there = await writeAll(path.join(dir, "worker.zip"), { deflater });
      // Strings went to the worker, in batches (the rest, while it was behind, were deflated here).
      expect(deflater.texts).toBeGreaterThan(BATCH.entries);
      expect(deflater.batches).toBeLessThan(deflater.texts / 4);
      expect(there.equals(here)).toBe(true);
      expect(there.equals(pooled)).toBe(true);
      expectEntries(there);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it("deflates here what the worker is too slow for: still the same archive", async () => {
    const dir = freshDir();
    const here = await writeAll(path.join(dir, "here.zip"), { poolFromBytes: Number.POSITIVE_INFINITY });
    const worker = new PackWorker();
    try {
      const deflater = counted(worker, 30);
      const there = await writeAll(path.join(dir, "slow.zip"), { deflater });
      expect(deflater.texts).toBeGreaterThan(0);
      expect(deflater.texts).toBeLessThan(ENTRIES.length - 20);
      expect(there.equals(here)).toBe(true);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it("does not deadlock when the byte limit is reached with a batch still gathering (slow destination)", async () => {
    const dir = freshDir();
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        setTimeout(() => (received.push(Buffer.from(chunk)), done()), 1);
      },
    });
    const worker = new PackWorker();
    try {
      // One batch that would hold every page: only the byte limit (AHEAD.bytes) makes it go.
      const zip = new ZipWriter(slow, { deflater: worker, batch: { entries: 10_000, bytes: Number.POSITIVE_INFINITY } });
      const page = (i: number) => `${i} `.repeat(100_000);
      const count = Math.ceil((2 * AHEAD.bytes) / page(0).length);
      for (let i = 0; i < count; i++) await zip.add(`p${i}.md`, page(i));
      await zip.finish();
      const entries = unzipSync(new Uint8Array(Buffer.concat(received)));
      expect(Object.keys(entries)).toEqual(Array.from({ length: count }, (_, i) => `p${i}.md`));
      expect(Buffer.from(entries[`p${count - 1}.md`]!).toString("utf8")).toBe(page(count - 1));
    } finally {
      await worker.stop();
    }
  }, 20_000);

  it("a worker that dies mid-pack fails the pack with pack_failed, leaves no docpack, and is stopped", async () => {
    const dir = freshDir();
    const worker = new PackWorker();
    const thread = (worker as unknown as { worker: import("node:worker_threads").Worker }).worker;
    let batches = 0;
    await worker.deflate(["started"], 6); // (this thread deflates pages itself while the worker starts)
    // The thread ends (as if it crashed) while pack has its second batch out. It is made to exit by
    // itself: terminate() can land inside zlib's set-up, which Node 22 fails on (see PackWorker.stop).
    const dying: Deflater = {
      deflate(texts, level) {
        if (++batches !== 2) return worker.deflate(texts, level);
        const exited = new Promise((resolve) => thread.once("exit", resolve));
        thread.postMessage({ stop: true });
        return exited.then(() => worker.deflate(texts, level));
      },
    };
    const pages = new Map(Array.from({ length: 20 * BATCH.entries }, (_, i): [string, string] => [`src/f${i}.ts`, `# f${i}\n${"text ".repeat(200)}\n`]));
    const failed = packStage(
      {
        manifest: manifest(),
        files: [fileEntry({ path: "src/f0.ts", language: "typescript", bytes: 1, lines: 1, sha256: "0".repeat(64), symbols: 0 })],
        symbols: [],
        index: "# demo\n",
        filePages: pages,
        deflater: { ...dying, stop: () => worker.stop() },
      },
      path.join(dir, "died.zip"),
    );
    await expect(failed).rejects.toMatchObject({ code: "pack_failed", message: expect.stringMatching(/exited/) });
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(path.join(dir, "died.zip"))).toBe(false);
    // Nothing left running: the thread is gone, and the worker refuses more work.
    expect(thread.threadId).toBe(-1);
    await expect(worker.deflate(["late"], 6)).rejects.toThrow(/exited/);
  }, 60_000);
});

describe("stopping the pack worker", () => {
  it("lets a busy worker exit by itself between its tasks: open requests reject, nothing is terminated", async () => {
    const worker = new PackWorker();
    const texts = Array.from({ length: 16 }, (_, i) => `page ${i}\n${"words ".repeat(20_000)}`);
    const open = Array.from({ length: 8 }, () => worker.deflate(texts, DEFLATE_LEVEL));
    const rest = Promise.allSettled(open.slice(1));
    await open[0]; // it is working through the rest
    await worker.stop();
    expect(worker.exitCode).toBe(0); // terminate() would give 1
    expect((await rest).some((result) => result.status === "rejected")).toBe(true);
    await expect(worker.deflate(["late"], DEFLATE_LEVEL)).rejects.toThrow(/stopped/);
  }, 30_000);
});

describe("the pack worker's jobs", () => {
  it("a job nobody waited for (the build failed before pack) rejects quietly when the worker stops", async () => {
    const dir = freshDir();
    const spool = new Spool(path.join(dir, "texts"));
    const texts = Array.from({ length: 200 }, (_, i): [string, string] => [`src/f${i}.ts`, `export const v${i} = "${"x".repeat(20_000)}";\n`]);
    const ranges = texts.map(([, text]) => spool.write(text));
    spool.close();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const worker = new PackWorker();
      writeSourcesFileInWorker(texts.map(([p]) => p), { spoolFile: spool.file, ranges, outFile: path.join(dir, "sources.deflate"), level: DEFLATE_LEVEL }, worker);
      await worker.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

const manifest = () => v2Manifest({ languages: { typescript: 1 }, files: 1, symbols: 0, bytes: 1 });
