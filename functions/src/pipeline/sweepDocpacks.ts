/**
 * A scheduled task: deletes docpack objects no record points at (core/src/docpackSweep.ts). Meant to
 * run hourly; the local stack runs the same sweep at start.
 */
import { sweepOrphanedDocpacks } from "@doctown/core/docpackSweep";

export async function handler(): Promise<{ checked: number; deleted: number }> {
  const { checked, deleted } = await sweepOrphanedDocpacks();
  if (deleted.length) console.log(`doctown: swept ${deleted.length} orphaned docpack object(s)`);
  return { checked, deleted: deleted.length };
}
