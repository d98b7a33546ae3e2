/**
 * The texts of the source/ entries (every accepted file, as scan redacted it), deflated one entry
 * after another into a file of their own, with what each ZIP entry needs (ZipWriter.addDeflated).
 * Run on a worker thread from the end of extraction, while this thread documents and renders the
 * pages: that second core is otherwise idle then, and the texts were a third of pack's work.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { Spool, type SpoolRange } from "../extract/spool";
import { deflateEntry } from "./zipWriter";
import { runInPackWorker, type WorkerJob } from "./workerJob";

export type SourcesFileTask = {
  /** the build's text spool, and where each text is in it, in docpack order */
  spoolFile: string;
  ranges: SpoolRange[];
  outFile: string;
  level: number;
};

/** The deflated entries back to back in `file`, in the task's order. */
export type SourcesFile = { file: string; entries: Array<{ size: number; crc: number; compressed: number }> };

export async function writeSourcesFile(task: SourcesFileTask): Promise<SourcesFile> {
  const spool = new Spool(task.spoolFile, "read-only");
  const out = openSync(task.outFile, "w", 0o600);
  try {
    const entries: SourcesFile["entries"] = [];
    let at = 0;
    for (const range of task.ranges) {
      const text = spool.readBytes(range);
      const deflated = deflateEntry(text, task.level);
      for (let written = 0; written < deflated.length; ) written += writeSync(out, deflated, written, deflated.length - written, at + written);
      at += deflated.length;
      entries.push({ size: text.length, crc: crc32(text), compressed: deflated.length });
    }
    return { file: task.outFile, entries };
  } finally {
    spool.close();
    closeSync(out);
  }
}

export type SourcesFileJob = WorkerJob<SourcesFile> & { paths: string[] };

export function writeSourcesFileInWorker(paths: string[], task: SourcesFileTask): SourcesFileJob {
  return { ...runInPackWorker({ kind: "sources", task }), paths };
}
