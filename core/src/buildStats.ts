/**
 * What a finished build found, as the builder reports it with its completion (optional, so older
 * builders still complete): counts, skipped files by reason, languages, duration. Kept on the job
 * and its docpack record so the dashboard and the commons can show them without opening the ZIP.
 */
import * as z from "zod";

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** At most 100 short keys, so a report cannot bloat the records. */
const counts = z
  .record(z.string().min(1).max(64), count)
  .refine((value) => Object.keys(value).length <= 100, "at most 100 entries");

export const BuildStats = z.object({
  files: count,
  symbols: count,
  bytes: count,
  skipped: counts,
  languages: counts.default({}),
  duration_ms: count.optional(),
});
export type BuildStats = z.infer<typeof BuildStats>;
