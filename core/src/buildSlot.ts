/**
 * Build slots: the per-user limit of builds in flight, held by single-item conditional writes
 * (dynalite has no transactions, and a count-then-write check lets parallel requests all pass).
 * A user has `limit` slot items (SLOT#<userId>, SLOT#<n>); a new job claims a free one with
 * `attribute_not_exists`, so of any number of parallel claims exactly `limit` succeed. The slot is
 * released when the job's conditional transition to a finished status succeeds (job.ts), which
 * happens exactly once; the delete is conditional on the holder, so a late release never frees
 * a slot another job has taken since.
 *
 * Leaks (a process dying between the transition and the release, or between claim and job write)
 * heal on the next claim that finds every slot taken: a slot whose job has finished, or whose job
 * was never written and the claim is older than a grace period, is taken back conditionally.
 */
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { services } from "./services";
import { isConditionFailure } from "./conditionalWrite";

/** A claim whose job record never appeared is presumed dead after this long. */
export const ORPHANED_CLAIM_GRACE_MS = 5 * 60_000;

export type SlotHolder = { slot: number; jobId: string; claimedAt: string };
/** How a claim looks at the job holding a slot (job.ts supplies it; this module knows no jobs). */
export type HolderStatus = (jobId: string) => Promise<"in_flight" | "finished" | "missing">;

const slotKey = (userId: string, slot: number) => ({ pk: `SLOT#${userId}`, sk: `SLOT#${slot}` });

/** Takes a free slot for the job; null when all `limit` slots are held by jobs in flight. */
export async function claimBuildSlot(userId: string, jobId: string, limit: number, holderStatus: HolderStatus): Promise<number | null> {
  const slot = await claimFree(userId, jobId, limit);
  if (slot !== null) return slot;
  // Every slot is taken: take back the ones leaked by finished or never-written jobs, then retry once.
  let reclaimed = false;
  for (let n = 0; n < limit; n++) if (await reclaimIfLeaked(userId, n, holderStatus)) reclaimed = true;
  return reclaimed ? claimFree(userId, jobId, limit) : null;
}

async function claimFree(userId: string, jobId: string, limit: number): Promise<number | null> {
  const { db, tableName, clock } = services();
  for (let slot = 0; slot < limit; slot++) {
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...slotKey(userId, slot), entity: "buildSlot", userId, slot, jobId, claimedAt: clock.now().toISOString() },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return slot;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return null;
}

/** Frees a slot whose holder finished or never existed (past the grace period). */
async function reclaimIfLeaked(userId: string, slot: number, holderStatus: HolderStatus): Promise<boolean> {
  const { db, tableName, clock } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: slotKey(userId, slot), ConsistentRead: true }));
  if (!Item) return true; // freed meanwhile
  const holder = Item as unknown as SlotHolder;
  const status = await holderStatus(holder.jobId);
  const leaked = status === "finished" || (status === "missing" && clock.now().getTime() - Date.parse(holder.claimedAt) > ORPHANED_CLAIM_GRACE_MS);
  if (!leaked) return false;
  return releaseBuildSlot(userId, slot, holder.jobId);
}

/** Frees the slot if this job still holds it; true when it did. */
export async function releaseBuildSlot(userId: string, slot: number, jobId: string): Promise<boolean> {
  const { db, tableName } = services();
  try {
    await db.send(
      new DeleteCommand({
        TableName: tableName,
        Key: slotKey(userId, slot),
        ConditionExpression: "jobId = :jobId",
        ExpressionAttributeValues: { ":jobId": jobId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The jobs holding the user's slots (tests and diagnostics). */
export async function slotHolders(userId: string, limit: number): Promise<SlotHolder[]> {
  const { db, tableName } = services();
  const holders: SlotHolder[] = [];
  for (let slot = 0; slot < limit; slot++) {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: slotKey(userId, slot), ConsistentRead: true }));
    if (Item) holders.push({ slot, jobId: Item.jobId as string, claimedAt: Item.claimedAt as string });
  }
  return holders;
}
