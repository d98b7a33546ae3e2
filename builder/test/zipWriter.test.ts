/** The docpack ZIP writer: readable by independent readers, byte-identical in every time zone. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { ZipWriter } from "../src/pack/zipWriter";
import { removeDir, tempDir } from "./fixtures/gitRepo";

const root = tempDir();
afterAll(() => removeDir(root));

const bigLines = () => Array.from({ length: 4000 }, (_, i) => `{"line":${i},"text":"symbol number ${i} of a streamed entry"}\n`);

async function writeSample(file: string): Promise<void> {
  const zip = new ZipWriter(createWriteStream(file));
  await zip.add("manifest.json", '{"format":"docpack"}\n');
  await zip.add("empty.txt", "");
  await zip.add("docs/ünïcode.md", "# Grüße — 日本語\n");
  await zip.add("bin.dat", new Uint8Array([0, 1, 2, 255]));
  await zip.addStream("symbols.json", bigLines(), { level: 4 });
  await zip.finish();
}

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("ZipWriter", () => {
  it("writes entries fflate and Python's zipfile read back exactly (CRCs, dates, modes)", async () => {
    const file = path.join(root, "sample.zip");
    await writeSample(file);
    const entries = unzipSync(new Uint8Array(readFileSync(file)));
    expect(Object.keys(entries)).toEqual(["manifest.json", "empty.txt", "docs/ünïcode.md", "bin.dat", "symbols.json"]);
    expect(strFromU8(entries["docs/ünïcode.md"])).toBe("# Grüße — 日本語\n");
    expect([...entries["bin.dat"]]).toEqual([0, 1, 2, 255]);
    expect(strFromU8(entries["symbols.json"])).toBe(bigLines().join(""));
    const report = execFileSync("python3", ["-c", [
      "import zipfile, sys, json",
      "z = zipfile.ZipFile(sys.argv[1])",
      "print(json.dumps({'bad': z.testzip(), 'entries': [[i.filename, i.file_size, list(i.date_time), i.external_attr >> 16] for i in z.infolist()]}))",
    ].join("\n"), file], { encoding: "utf8" });
    const parsed = JSON.parse(report) as { bad: string | null; entries: Array<[string, number, number[], number]> };
    expect(parsed.bad).toBeNull();
    for (const [, , date, mode] of parsed.entries) {
      expect(date).toEqual([2000, 1, 1, 0, 0, 0]);
      expect(mode).toBe(0o100644);
    }
    expect(parsed.entries.map(([name, size]) => [name, size])).toEqual(Object.entries(entries).map(([name, data]) => [name, data.length]));
  });

  it("gives the same bytes twice, and in any time zone", async () => {
    const saved = process.env.TZ;
    const hashes: string[] = [];
    try {
      for (const zone of ["UTC", "UTC", "Asia/Tokyo", "America/Los_Angeles"]) {
        process.env.TZ = zone;
        const file = path.join(root, `tz-${hashes.length}.zip`);
        await writeSample(file);
        hashes.push(sha(file));
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(new Set(hashes).size).toBe(1);
  });

  it("waits for a slow destination instead of buffering the archive", async () => {
    let buffered = 0;
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        buffered = Math.max(buffered, slow.writableLength);
        received.push(chunk);
        setImmediate(done);
      },
    });
    const zip = new ZipWriter(slow);
    const big = "x".repeat(256 * 1024);
    for (let i = 0; i < 40; i++) await zip.add(`page${i}.md`, `${big}${i}`);
    await zip.addStream("stream.txt", Array.from({ length: 200 }, () => big), { level: 1 });
    await zip.finish();
    const entries = unzipSync(new Uint8Array(Buffer.concat(received)));
    expect(Object.keys(entries)).toHaveLength(41);
    expect(entries["stream.txt"].length).toBe(200 * big.length);
    expect(buffered).toBeLessThan(2 * 1024 * 1024);
  });

  it("fails (does not hang) when the destination fails", async () => {
    let writes = 0;
    const failing = new Writable({
      write(_chunk, _encoding, done) {
        done(++writes >= 3 ? new Error("disk full") : null);
      },
    });
    const zip = new ZipWriter(failing);
    const attempt = async () => {
      for (let i = 0; i < 50; i++) await zip.add(`p${i}.md`, "y".repeat(100_000 + i));
      await zip.finish();
    };
    await expect(attempt()).rejects.toThrow(/disk full/);
  }, 10_000);
});
