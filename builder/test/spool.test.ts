/** The spool gathers writes into blocks: what it hands out reads back exactly, whenever and from wherever. */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Spool } from "../src/extract/spool";
import { removeDir, tempDir } from "./fixtures/gitRepo";

const root = tempDir();
afterAll(() => removeDir(root));

/** Texts of many sizes, some past a write block (256 KB), some not ASCII. */
const TEXTS = [
  "small",
  "größe — 日本語 🚀\n".repeat(3),
  "x".repeat(200 * 1024),
  "y".repeat(300 * 1024),
  "",
  "z".repeat(100 * 1024),
  ...Array.from({ length: 500 }, (_, i) => `text ${i} ${"é".repeat(i)}`),
];

describe("Spool", () => {
  it("reads back every text and byte range as written, while writes are still gathered", () => {
    const spool = new Spool(path.join(root, "mixed"));
    try {
      const ranges = TEXTS.map((text, i) => (i % 3 === 0 ? spool.writeBytes(Buffer.from(text, "utf8")) : spool.write(text)));
      // read back in a scrambled order, before anything forced the buffer out
      for (const i of [5, 0, 2, 505, 3, 1, 4, 300]) expect(spool.readText(ranges[i]!), `text ${i}`).toBe(TEXTS[i]);
      expect(ranges.map((range) => spool.readText(range))).toEqual(TEXTS);
      expect(Buffer.concat(ranges.map((range) => spool.readBytes(range))).toString("utf8")).toBe(TEXTS.join(""));
    } finally {
      spool.close();
    }
  });

  it("writes what it gathered before handing out its file, and when closed", () => {
    const file = path.join(root, "handed");
    const spool = new Spool(file);
    const first = spool.write("one");
    spool.write("two");
    expect(statSync(file).size).toBe(0); // gathered, not yet written
    expect(readFileSync(spool.file, "utf8")).toBe("onetwo");
    // another reader, as another thread would open it
    const reader = new Spool(file, "read-only");
    expect(reader.readText(first)).toBe("one");
    reader.close();
    spool.write("three");
    spool.close();
    expect(readFileSync(file, "utf8")).toBe("onetwothree");
    expect(() => spool.write("four")).toThrow(/closed/);
  });
});
