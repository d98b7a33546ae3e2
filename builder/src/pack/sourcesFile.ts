/**
 * The texts of the source/ entries (every accepted file, as scan redacted it), deflated one entry
 * after another into a file of their own, with what each ZIP entry needs (ZipWriter.addDeflated).
 * Run on a worker thread from the end of extraction, while this thread documents and renders the
 * pages: that second core is otherwise idle then, and the texts were a third of pack's work.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { Spool, type SpoolRange } from "../extract/spool";
import { deflatedEntry } from "./zipWriter";
import { packJob, type PackWorker, type WorkerJob } from "./workerJob";

export type SourcesFileTask = {
  /** the build's text spool, and where each text is in it, in docpack order */
  spoolFile: string;
  ranges: SpoolRange[];
  outFile: string;
  level: number;
};

/** The deflated entries back to back in `file`, in the task's order. */
export type SourcesFile = { file: string; entries: Array<{ size: number; crc: number; compressed: number }> };

/**
 * Text deflated between turns of the event loop (the pack worker's page batches come in between).
 */
const TURN_BYTES = 256 * 1024;

export async function writeSourcesFile(task: SourcesFileTask): Promise<SourcesFile> {
  const spool = new Spool(task.spoolFile, "read-only");
  const out = new Spool(task.outFile);
  try {
    const entries: SourcesFile["entries"] = [];
    let sinceTurn = 0;
    for (const range of task.ranges) {
      const { size, crc, deflated } = deflatedEntry(spool.readBytes(range), task.level);
      out.writeBytes(deflated); // gathered by the spool, written a block at a time
      entries.push({ size, crc, compressed: deflated.length });
      if ((sinceTurn += size) >= TURN_BYTES) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
    return { file: task.outFile, entries };
  } finally {
    spool.close();
    out.close();
  }
}

export type SourcesFileJob = WorkerJob<SourcesFile> & { paths: string[] };

/** On the build's pack worker, or (without one) on a worker of its own. */
export function writeSourcesFileInWorker(paths: string[], task: SourcesFileTask, worker?: PackWorker): SourcesFileJob {
  return { ...packJob("sources", task, worker), paths };
}
