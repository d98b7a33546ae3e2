/** The docpack ZIP writer: readable by independent readers, byte-identical in every time zone. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { crc32, deflateRawSync } from "node:zlib";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it, vi } from "vitest";
import { AHEAD, ZIP_LIMITS, ZipWriter } from "../src/pack/zipWriter";
import { removeDir, tempDir } from "./fixtures/gitRepo";

const root = tempDir();
afterAll(() => removeDir(root));

const TEXT: Record<string, string> = {
  "manifest.json": '{"format":"docpack"}\n',
  "empty.txt": "",
  "docs/ünïcode.md": "# Grüße — 日本語 🚀\n",
};
const BINARY = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256);
const LINES = 60_000;
const line = (i: number) => `{"id":"src/file${i % 97}.ts#symbol${i}","summary":"line ${i} of a streamed entry"}\n`;
/** 3,000 string chunks of 20 lines each. */
function* lines(): Generator<string> {
  for (let i = 0; i < LINES; i += 20) yield Array.from({ length: 20 }, (_, j) => line(i + j)).join("");
}
const asyncPart = (i: number) => (i % 2 ? `part ${i} ✓;` : Buffer.from(`bytes ${i};`));
async function* asyncParts(): AsyncGenerator<string | Uint8Array> {
  for (let i = 0; i < 50; i++) {
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    yield asyncPart(i);
  }
}

/** An entry deflated before it reaches the writer (as symbols.json from a worker). */
const PRECOMPRESSED = Buffer.from(Array.from({ length: 2_000 }, (_, i) => `precompressed line ${i} — ✓\n`).join(""), "utf8");
async function* deflatedParts(): AsyncGenerator<Uint8Array> {
  const deflated = deflateRawSync(PRECOMPRESSED, { level: 4 });
  for (let i = 0; i < deflated.length; i += 1_000) yield deflated.subarray(i, i + 1_000);
}

/** What the archive must hold, in order, computed from the inputs (not from the writer). */
const EXPECTED: Array<[string, Buffer]> = [
  ...Object.entries(TEXT).map(([name, text]): [string, Buffer] => [name, Buffer.from(text, "utf8")]),
  ["bin.dat", Buffer.from(BINARY)],
  ["symbols.json", Buffer.from(Array.from({ length: LINES }, (_, i) => line(i)).join(""), "utf8")],
  ["docs/async.txt", Buffer.concat(Array.from({ length: 50 }, (_, i) => Buffer.from(asyncPart(i))))],
  ["docs/precompressed.txt", PRECOMPRESSED],
];

async function writeSample(file: string): Promise<Buffer> {
  const zip = new ZipWriter(createWriteStream(file));
  for (const [name, text] of Object.entries(TEXT)) await zip.add(name, text);
  await zip.add("bin.dat", BINARY);
  await zip.addStream("symbols.json", lines(), { level: 4 });
  await zip.addStream("docs/async.txt", asyncParts());
  await zip.addCompressed("docs/precompressed.txt", { size: PRECOMPRESSED.length, crc: crc32(PRECOMPRESSED) }, deflatedParts());
  await zip.finish();
  return readFileSync(file);
}

/** Incompressible bytes (seeded xorshift): compressed, they are as large as they are. */
function noiseOf(length: number): Buffer {
  const noise = Buffer.alloc(length);
  for (let i = 0, x = 2463534242; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    noise[i] = x & 0xff;
  }
  return noise;
}
const chunksOf = function* (data: Buffer, size = 10_000) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
};

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

const PYTHON = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
print(json.dumps({"bad": bad, "entries": [[i.filename, i.file_size, list(i.date_time), i.external_attr >> 16,
  hashlib.sha256(z.read(i.filename)).hexdigest()] for i in z.infolist()]}))
`;

describe("ZipWriter", () => {
  it("writes entries that fflate and Python's zipfile read back exactly (CRCs, sizes, dates, modes)", async () => {
    const file = path.join(root, "sample.zip");
    const bytes = await writeSample(file);
    expect(EXPECTED.find(([name]) => name === "symbols.json")![1].length).toBeGreaterThan(3_000_000);

    const entries = unzipSync(new Uint8Array(bytes));
    expect(Object.keys(entries)).toEqual(EXPECTED.map(([name]) => name));
    for (const [name, data] of EXPECTED) expect(Buffer.from(entries[name]).equals(data), name).toBe(true);

    const report = JSON.parse(execFileSync("python3", ["-c", PYTHON, file], { encoding: "utf8" })) as {
      bad: string | null;
      entries: Array<[string, number, number[], number, string]>;
    };
    expect(report.bad).toBeNull();
    expect(report.entries.map(([name, size, , , hash]) => [name, size, hash])).toEqual(
      EXPECTED.map(([name, data]) => [name, data.length, sha256(data)]),
    );
    for (const [name, , date, mode] of report.entries) {
      expect(date, name).toEqual([2000, 1, 1, 0, 0, 0]);
      expect(mode.toString(8), name).toBe("100644");
    }
  });

  it("compresses many entries ahead and still writes them in the order added, each one exact", async () => {
    // Sizes around the thread-pool threshold and far above it, in an irregular order.
    const pages = Array.from({ length: 300 }, (_, i): [string, Buffer] => {
      const size = [90, 1_900, 2_100, 40_000, 7, 300_000][(i * 7) % 6]!;
      const text = Array.from({ length: Math.ceil(size / 40) }, (_, j) => `page ${i} line ${j} ${"xyz".repeat(i % 5)}\n`).join("");
      return [`docs/p${i}.md`, i % 10 === 3 ? noiseOf(size + i) : Buffer.from(text.slice(0, size), "utf8")];
    });
    const write = async (file: string, options: { poolFromBytes?: number } = {}) => {
      const zip = new ZipWriter(createWriteStream(file), options);
      // Text pages as strings (encoded by the writer), noise as bytes.
      for (const [i, [name, data]] of pages.entries()) await zip.add(name, i % 10 === 3 ? data : data.toString("utf8"));
      await zip.finish();
      return readFileSync(file);
    };
    const bytes = await write(path.join(root, "many.zip"));
    // Everything compressed in this thread instead (as a large build does): the same archive.
    expect((await write(path.join(root, "many-here.zip"), { poolFromBytes: Number.POSITIVE_INFINITY })).equals(bytes)).toBe(true);
    const entries = unzipSync(new Uint8Array(bytes));
    expect(Object.keys(entries)).toEqual(pages.map(([name]) => name));
    for (const [name, data] of pages) expect(Buffer.from(entries[name]).equals(data), name).toBe(true);
    // Local headers in the same order, back to back: each entry's data follows the previous one's.
    let at = 0;
    for (const [name] of pages) {
      expect(bytes.readUInt32LE(at)).toBe(0x04034b50);
      const nameLength = bytes.readUInt16LE(at + 26);
      expect(bytes.subarray(at + 30, at + 30 + nameLength).toString("utf8")).toBe(name);
      at += 30 + nameLength + bytes.readUInt32LE(at + 18);
    }
  }, 30_000);

  it("takes a precompressed entry from a source that reuses one buffer, through a slow destination", async () => {
    const deflated = deflateRawSync(PRECOMPRESSED, { level: 4 });
    async function* reused(): AsyncGenerator<Uint8Array> {
      const buffer = Buffer.alloc(1_000);
      for (let i = 0; i < deflated.length; i += buffer.length) {
        const n = deflated.copy(buffer, 0, i, i + buffer.length);
        yield buffer.subarray(0, n);
        buffer.fill(0xee); // what a reused buffer holds once the next chunk is asked for
      }
    }
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 64 * 1024, // takes the chunk at once, writes it later
      write(chunk: Buffer, _encoding, done) {
        setTimeout(() => (received.push(Buffer.from(chunk)), done()), 1);
      },
    });
    const zip = new ZipWriter(slow);
    await zip.addCompressed("p.txt", { size: PRECOMPRESSED.length, crc: crc32(PRECOMPRESSED) }, reused());
    await zip.finish();
    expect(Buffer.from(unzipSync(new Uint8Array(Buffer.concat(received)))["p.txt"]).equals(PRECOMPRESSED)).toBe(true);
  });

  it("runs a bounded number of entries ahead of a destination that stopped taking bytes", async () => {
    const stalled = new Writable({ highWaterMark: 16, write() {} }); // never calls back: full after one entry
    const zip = new ZipWriter(stalled);
    let queued = 0;
    const adding = (async () => {
      for (let i = 0; i < 200; i++) {
        await zip.add(`p${i}.md`, `${i} `.repeat(3_000));
        queued++;
      }
    })();
    adding.catch(() => {});
    await vi.waitFor(() => expect(queued).toBeGreaterThanOrEqual(AHEAD.entries - 1), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queued).toBeLessThanOrEqual(AHEAD.entries + 2);
    stalled.destroy(new Error("connection lost"));
    await expect(adding).rejects.toThrow(/connection lost/);
  }, 20_000);

  it("gives the same bytes twice, and after the time zone changes", async () => {
    const saved = process.env.TZ;
    const hashes: string[] = [];
    const offsets: number[] = [];
    try {
      for (const zone of ["UTC", "UTC", "Asia/Tokyo", "America/Los_Angeles"]) {
        process.env.TZ = zone;
        offsets.push(new Date(2000, 0, 1).getTimezoneOffset());
        const bytes = await writeSample(path.join(root, `tz-${hashes.length}.zip`));
        // First local file header: signature, then DOS time (00:00:00) and date (2000-01-01) at 10 and 12.
        expect(bytes.readUInt32LE(0)).toBe(0x04034b50);
        expect([bytes.readUInt16LE(10), bytes.readUInt16LE(12)]).toEqual([0, (20 << 9) | (1 << 5) | 1]);
        hashes.push(sha256(bytes));
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(offsets).toEqual([0, 0, -540, 480]); // the zone change really took effect
    expect(new Set(hashes).size).toBe(1);
  });

  it("waits for a slow destination: same bytes as a fast one, bounded buffering", async () => {
    const noise = noiseOf(6 * 1024 * 1024);
    const write = async (output: Writable) => {
      const zip = new ZipWriter(output);
      await zip.add("first.txt", "before the stream\n");
      await zip.addStream("noise.bin", chunksOf(noise));
      await zip.add("last.txt", "after the stream\n");
      await zip.finish();
    };
    const fastFile = path.join(root, "fast.zip");
    await write(createWriteStream(fastFile));
    const fast = readFileSync(fastFile);
    expect(fast.length).toBeGreaterThan(noise.length);

    let maxBuffered = 0;
    let writes = 0; // most writes wait for a timer: far slower than compression
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        received.push(chunk);
        if (++writes % 4 === 0) setImmediate(done);
        else setTimeout(done, 1);
      },
    });
    await write(slow);
    const slowBytes = Buffer.concat(received);
    expect(slowBytes.equals(fast)).toBe(true);
    expect(Buffer.from(unzipSync(new Uint8Array(slowBytes))["noise.bin"]).equals(noise)).toBe(true);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  }, 30_000);

  describe("fails (does not hang) when the destination fails", () => {
    /** A destination whose `failAt`-th write fails, at once or on a later turn. */
    const failing = (failAt: number, later: boolean, highWaterMark = 1024) => {
      let writes = 0;
      return new Writable({
        highWaterMark,
        write(_chunk, _encoding, done) {
          const error = ++writes >= failAt ? new Error("disk full") : null;
          if (later) setImmediate(done, error);
          else done(error);
        },
      });
    };

    for (const later of [false, true]) {
      const when = later ? "later" : "at once";
      it(`add rejects (error reported ${when})`, async () => {
        const zip = new ZipWriter(failing(3, later));
        const attempt = async () => {
          for (let i = 0; i < 50; i++) await zip.add(`p${i}.md`, "y".repeat(100_000 + i));
        };
        await expect(attempt()).rejects.toThrow(/disk full/);
      }, 10_000);

      it(`addStream rejects with the destination's error (reported ${when})`, async () => {
        const zip = new ZipWriter(failing(5, later));
        await expect(zip.addStream("big.bin", chunksOf(noiseOf(4 * 1024 * 1024)))).rejects.toThrow(/disk full/);
      }, 10_000);

      it(`finish rejects when the central directory cannot be written (reported ${when})`, async () => {
        const fill = async (zip: ZipWriter) => {
          await zip.add("a.md", "first");
          await zip.addStream("b.md", ["second", " part"]);
        };
        let writes = 0;
        const counting = new Writable({ write: (_chunk, _encoding, done) => (writes++, done()) });
        await fill(new ZipWriter(counting));
        const zip = new ZipWriter(failing(writes + 1, later, 1 << 20));
        await fill(zip); // every entry's write succeeds
        await expect(zip.finish()).rejects.toThrow(/disk full/);
      }, 10_000);
    }
  });

  describe("refuses what a ZIP without ZIP64 cannot describe, with a clear error", () => {
    /** Counts what reaches the destination. */
    const sink = () => {
      const sink = { bytes: 0, output: new Writable({ write: (chunk: Buffer, _encoding, done) => ((sink.bytes += chunk.length), done()) }) };
      return sink;
    };

    it("the format's own limits: 65,534 entries (0xFFFF means ZIP64) and 4 GiB less one byte", () => {
      expect(ZIP_LIMITS).toEqual({ entries: 65_534, bytes: 2 ** 32 - 2 });
    });

    it("refuses the entry past the limit before writing any of it", async () => {
      const { output, ...counted } = sink();
      const zip = new ZipWriter(output, { limits: { entries: 3 } });
      for (const name of ["a", "b", "c"]) await zip.add(name, name);
      await zip.flush();
      const before = counted.bytes;
      await expect(zip.add("one-too-many", "")).rejects.toMatchObject({ code: "pack_failed", message: "the docpack is too large for a ZIP file: it would hold more than 3 files" });
      await expect(zip.addStream("another", ["x"])).rejects.toThrow(/more than 3 files/);
      expect(counted.bytes).toBe(before);
    });

    it("refuses an entry over the size limit, whole, streamed or precompressed", async () => {
      const limits = { bytes: 1_000 };
      await expect(new ZipWriter(sink().output, { limits }).add("big.md", "x".repeat(1_001))).rejects.toThrow(
        "the docpack is too large for a ZIP file: big.md would exceed 1,000 bytes",
      );
      await expect(new ZipWriter(sink().output, { limits }).addStream("symbols.json", ["x".repeat(600), "x".repeat(600)])).rejects.toMatchObject({
        code: "pack_failed",
        message: expect.stringContaining("symbols.json would exceed 1,000 bytes"),
      });
      await expect(new ZipWriter(sink().output, { limits }).addCompressed("s.json", { size: 1_001, crc: 0 }, deflatedParts())).rejects.toThrow(/s\.json would exceed/);
    });

    it("stops before the archive passes the size limit: no byte beyond it reaches the destination", async () => {
      const limit = 50_000;
      const destination = sink();
      const zip = new ZipWriter(destination.output, { level: 0, limits: { bytes: limit } });
      const attempt = async () => {
        for (let i = 0; i < 100; i++) await zip.add(`noise${i}.bin`, noiseOf(4_000));
        await zip.finish();
      };
      await expect(attempt()).rejects.toThrow("the docpack is too large for a ZIP file: the archive would exceed 50,000 bytes");
      expect(destination.bytes).toBeLessThanOrEqual(limit);
      expect(destination.bytes).toBeGreaterThan(limit - 5_000);
    });

    it("fails in finish when the central directory would pass the limit", async () => {
      const entries = async (zip: ZipWriter) => {
        await zip.add("a.md", "short");
        await zip.add("b.md", "short");
      };
      const whole = sink();
      const unlimited = new ZipWriter(whole.output);
      await entries(unlimited);
      const beforeDirectory = whole.bytes;
      await unlimited.finish();
      const limit = beforeDirectory + 10; // room for the entries, not for the central directory
      expect(whole.bytes).toBeGreaterThan(limit);

      const destination = sink();
      const zip = new ZipWriter(destination.output, { limits: { bytes: limit } });
      await entries(zip);
      await expect(zip.finish()).rejects.toThrow(`archive would exceed ${limit} bytes`);
      expect(destination.bytes).toBeLessThanOrEqual(limit);
    });
  });
});
