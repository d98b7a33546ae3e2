/** The extraction pool when a worker dies: its batches fail with a reason, nothing waits forever. */
import type { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { createExtractPool } from "../src/extract/pool";

/** ~6 MB of TypeScript: a worker is still parsing it when it is ended. */
const HUGE = { path: "src/huge.ts", language: "typescript", bytes: 0, lines: 0, content: "export const x = 1;\n".repeat(300_000) };
const SMALL = { path: "src/small.ts", language: "typescript", bytes: 0, lines: 0, content: "export function small() {}\n" };

describe("extract pool", () => {
  it("answers a batch with its symbols", async () => {
    const pool = createExtractPool(1);
    try {
      const [result] = await pool.run([SMALL]);
      expect(result.count).toBe(1);
      expect(JSON.parse(result.json)[0]).toMatchObject({ id: "src/small.ts#small", kind: "function", exported: true });
      expect(pool.queuedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("takes a preload of grammars (unknown languages too) without an answer, then answers batches as before", async () => {
    const pool = createExtractPool(1);
    try {
      pool.preload(["typescript", "no-such-language", "markdown"]);
      const [result] = await pool.run([SMALL]);
      expect(JSON.parse(result.json)[0]).toMatchObject({ id: "src/small.ts#small", kind: "function" });
      expect(pool.queuedBytes).toBe(0);
    } finally {
      await pool.close();
    }
    pool.preload(["typescript"]); // closed: nothing is sent
  });

  it("fails the batches of a worker that dies, and refuses new ones, instead of waiting forever", async () => {
    let worker: Worker | undefined;
    const pool = createExtractPool(1, { onWorker: (started) => (worker = started) });
    try {
      const doomed = pool.run([HUGE]);
      const queued = pool.run([SMALL]); // waiting behind it in the same worker
      // The thread ends while it parses (as a crash or running out of memory would end it).
      await new Promise((resolve) => setTimeout(resolve, 50));
      await worker!.terminate();
      await expect(doomed).rejects.toThrow(/exited/i);
      await expect(queued).rejects.toThrow(/exited/i);
      expect(pool.queuedBytes).toBe(0);
      await expect(pool.run([SMALL])).rejects.toThrow(/exited/i);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
