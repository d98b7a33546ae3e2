/**
 * Whole page entries deflated off the main thread, a batch at a time (ZipWriter's `deflater`): each
 * text as `deflatedEntry` deflates it (the same archive bytes as in-thread), with its size and CRC-32.
 * The results travel back in one buffer per batch, transferred, not copied: one message per ~16
 * entries instead of a zlib object, a crc and an encoding per entry on the main thread (~150 µs
 * each, ~0.25 s of TanStack/query's pack).
 */
import { deflatedEntry } from "./zipWriter";

/** The batch's deflated entries back to back in `data`, in the order of its texts. */
export type DeflatedBatch = { data: ArrayBuffer; entries: Array<{ size: number; crc: number; compressed: number }> };

/** What deflates batches for a ZipWriter (the pack worker); rejects once it cannot. */
export type Deflater = { deflate(texts: string[], level: number): Promise<DeflatedBatch> };

export function deflateBatch(texts: string[], level: number): DeflatedBatch {
  const parts = texts.map((text) => deflatedEntry(Buffer.from(text, "utf8"), level));
  // zlib's small outputs are slices of Node's shared buffer pool, which cannot be transferred:
  // the batch gets one buffer of its own.
  const data = new ArrayBuffer(parts.reduce((sum, part) => sum + part.deflated.length, 0));
  const bytes = new Uint8Array(data);
  let at = 0;
  for (const part of parts) {
    bytes.set(part.deflated, at);
    at += part.deflated.length;
  }
  return { data, entries: parts.map(({ size, crc, deflated }) => ({ size, crc, compressed: deflated.length })) };
}
