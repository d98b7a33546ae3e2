/**
 * Waiting for RunPod to start a dispatched build. A job may sit in RunPod's queue (cold start,
 * every worker busy) far longer than the pipeline's heartbeat; no builder code runs then, so no
 * progress can keep the Dispatch task alive. Dispatch therefore watches RunPod's /status itself
 * until the builder has started, sending the task heartbeat on the builder's behalf:
 *   - IN_QUEUE within the queue-wait budget: heartbeat, look again (1 s, 2 s, 4 s … up to pollMs);
 *   - IN_PROGRESS / COMPLETED, or the builder's first progress arrived: the builder's own
 *     heartbeats (every ≤ 30 s) take over; if it dies, HeartbeatSeconds fail the job (heartbeat_lost);
 *   - FAILED / CANCELLED / TIMED_OUT / unknown to RunPod while nothing was heard from the builder:
 *     RunpodLost at once;
 *   - still queued after the budget: the RunPod job is cancelled and the task fails (QueueTimeout).
 * So a queued job never fails for waiting, and a lost one fails within the budget (while queued) or
 * the heartbeat (once started).
 */
import { RunpodRejected, type RunpodClient } from "./runpod";

/** RunPod's queue held the job longer than the budget; its RunPod job was cancelled. */
export class QueueTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueueTimeout";
  }
}
/** RunPod no longer holds the job (it ended, or RunPod does not know it) though the builder never reported. */
export class RunpodLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunpodLost";
  }
}

/** "started": the builder runs (its heartbeats take over); "stopped": the job or its task is over. */
export type QueueWaitResult = "started" | "stopped";
/** Where the job stands: waiting for its builder, heard from it, or finished (cancelled, failed, …). */
export type QueuedJobState = "queued" | "started" | "finished";

export interface QueueWaitOptions {
  runpod: Pick<RunpodClient, "status" | "cancel">;
  /** Keeps the Dispatch task alive; a failure (the task is gone: cancelled, timed out) ends the wait. */
  heartbeat: () => Promise<void>;
  jobState: () => Promise<QueuedJobState>;
  queueWaitMs: number;
  /** Longest pause between two looks at /status. */
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

const TERMINAL_WITHOUT_BUILDER = new Set(["FAILED", "CANCELLED", "TIMED_OUT"]);

export async function waitUntilStarted(runpodJobId: string, options: QueueWaitOptions): Promise<QueueWaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = options.log ?? ((message: string) => console.warn(message));
  const deadline = now() + options.queueWaitMs;
  for (let pause = Math.min(1_000, options.pollMs); ; pause = Math.min(pause * 2, options.pollMs)) {
    const state = await options.jobState();
    if (state !== "queued") return state === "started" ? "started" : "stopped";
    let status: string | undefined;
    try {
      status = (await options.runpod.status(runpodJobId)).status;
    } catch (error) {
      if (error instanceof RunpodRejected && error.status === 404) throw new RunpodLost(`RunPod does not know job ${runpodJobId}.`);
      log(`doctown: RunPod /status failed, looking again: ${(error as Error).message}`); // unavailable: the budget still counts
    }
    if (status === "IN_PROGRESS" || status === "COMPLETED") return "started";
    if (status && TERMINAL_WITHOUT_BUILDER.has(status)) {
      // The builder reports before it ends; re-read so a report that just landed wins.
      if ((await options.jobState()) !== "queued") return "stopped";
      throw new RunpodLost(`RunPod reports job ${runpodJobId} as ${status}, and the builder never reported.`);
    }
    if (now() >= deadline) {
      await options.runpod.cancel(runpodJobId).catch((error: Error) => log(`doctown: could not cancel RunPod job ${runpodJobId}: ${error.message}`));
      throw new QueueTimeout(`The build waited in RunPod's queue for over ${Math.round(options.queueWaitMs / 1000)} s without a worker taking it.`);
    }
    try {
      await options.heartbeat();
    } catch (error) {
      log(`doctown: stopped waiting for RunPod job ${runpodJobId}: ${(error as Error).message}`);
      return "stopped";
    }
    await sleep(Math.max(0, Math.min(pause, deadline - now())));
  }
}
