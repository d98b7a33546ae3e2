/**
 * The texts of the source/ entries (every accepted file, as scan redacted it), deflated one entry
 * after another into a file of their own, with what each ZIP entry needs (ZipWriter.addDeflated).
 * Run on a worker thread from the end of extraction, while this thread documents and renders the
 * pages: that second core is otherwise idle then, and the texts were a third of pack's work.
 */
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
  const out = new Spool(task.outFile);
  try {
    const entries = task.ranges.map((range) => {
      const text = spool.readBytes(range);
      const deflated = deflateEntry(text, task.level);
      out.writeBytes(deflated);
      return { size: text.length, crc: crc32(text), compressed: deflated.length };
    });
    return { file: task.outFile, entries };
  } finally {
    spool.close();
    out.close();
  }
}

export type SourcesFileJob = WorkerJob<SourcesFile> & { paths: string[] };

export function writeSourcesFileInWorker(paths: string[], task: SourcesFileTask): SourcesFileJob {
  return { ...runInPackWorker({ kind: "sources", task }), paths };
}
