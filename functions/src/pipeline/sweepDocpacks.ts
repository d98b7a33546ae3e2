/**
 * The hourly docpack sweeper (EventBridge rule): deletes docpack objects no record points at
 * (core/src/docpackSweep.ts); the local stack runs the same sweep at start.
 */
import { loadSecrets } from "@doctown/core/config";
import { sweepOrphanedDocpacks } from "@doctown/core/docpackSweep";

export async function handler(): Promise<{ checked: number; deleted: number }> {
  await loadSecrets();
  const { checked, deleted } = await sweepOrphanedDocpacks();
  if (deleted.length) console.log(`doctown: swept ${deleted.length} orphaned docpack object(s)`);
  return { checked, deleted: deleted.length };
}
