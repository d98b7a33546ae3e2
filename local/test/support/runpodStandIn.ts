/**
 * RunPod's serverless API at its HTTP boundary (POST /v2/{endpoint}/run, GET …/status/{id},
 * POST …/cancel/{id}) for the failure paths: a builder that takes the job and then goes silent, a
 * RunPod that is briefly unavailable or refuses, and a recording proxy in front of the real
 * builder server (to replay its callbacks, or to change the world before the build starts).
 */
import { startFakeServer, type FakeServer } from "@doctown/core/test/support/fakeServer";

export type RunInput = { job_id: string; callback_url: string; callback_secret: string; upload_url: string; repo_url: string; [key: string]: unknown };

export type RunpodBehaviour =
  /** Accepts the job, reports one progress step, and is never heard of again (a dead builder). */
  | { kind: "silent"; reportProgress?: boolean }
  /** Answers /run with these statuses first, then behaves like `then`. */
  | { kind: "failing"; statuses: number[]; body?: unknown; then: RunpodBehaviour }
  /**
   * Holds every job IN_QUEUE, as RunPod does while no worker is free, until `release()`; then
   * hands it to `target` (the real builder server) and passes its /status and /cancel on.
   */
  | { kind: "queued"; target?: { url: string; apiKey: string } }
  /** Takes the job, then knows nothing of it (/status answers 404): RunPod lost it. */
  | { kind: "lost" }
  /** Passes everything to another RunPod API (the real builder server), after `beforeRun`; "drop" takes the job silently instead. */
  | { kind: "forward"; url: string; apiKey: string; beforeRun?: (input: RunInput) => Promise<void | "drop"> | void | "drop" };

export type RunpodStandIn = FakeServer & {
  apiUrl: string;
  apiKey: string;
  endpointId: string;
  runs: RunInput[];
  cancels: string[];
  /** /status calls for jobs held in the queue, with when they came. */
  queuedPolls: { id: string; at: number }[];
  /** Lets the queued jobs go to their target (kind "queued"). */
  release(): void;
};

export async function startRunpodStandIn(behaviour: RunpodBehaviour): Promise<RunpodStandIn> {
  const apiKey = "stand-in-key-0123456789";
  const endpointId = "standin";
  const runs: RunInput[] = [];
  const cancels: string[] = [];
  const pendingStatuses = behaviour.kind === "failing" ? [...behaviour.statuses] : [];
  const effective = behaviour.kind === "failing" ? behaviour.then : behaviour;
  let counter = 0;
  /** Jobs this stand-in took itself (not forwarded). */
  const ownJobs = new Set<string>();
  const queuedPolls: { id: string; at: number }[] = [];
  let released = false;
  /** Held jobs: their /run body, then (once released and forwarded) the target's job id. */
  const held = new Map<string, { body: string; targetId?: string }>();

  const server = await startFakeServer(async (req) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return { status: 401, body: { error: "Unauthorized" } };
    const match = new RegExp(`^/v2/${endpointId}/(run|status|cancel)(?:/([^/]+))?$`).exec(req.path);
    if (!match) return { status: 404, body: { error: "not found" } };
    const [, operation, id] = match;
    if (operation === "run") {
      const failure = pendingStatuses.shift();
      if (failure) return { status: failure, body: (behaviour.kind === "failing" && behaviour.body) || { error: `HTTP ${failure}` } };
      const input = (req.json() as { input: RunInput }).input;
      runs.push(input);
      if (effective.kind === "forward" && (await effective.beforeRun?.(input)) !== "drop") return forward(effective, "run", "POST", req.body);
      // Reported before /run answers (the job is already building then), so it cannot come late.
      if (effective.kind === "silent" && effective.reportProgress) await reportOnce(input);
      const runId = `standin-${++counter}`;
      ownJobs.add(runId);
      if (effective.kind === "queued") held.set(runId, { body: req.body });
      return { status: 200, body: { id: runId, status: "IN_QUEUE" } };
    }
    if (operation === "cancel") cancels.push(id ?? "");
    if (effective.kind === "lost") return { status: 404, body: { error: "job not found" } };
    const hold = held.get(id ?? "");
    if (effective.kind === "queued" && hold) {
      if (!released || !effective.target) {
        if (operation === "cancel") {
          held.delete(id ?? "");
          return { status: 200, body: { id, status: "CANCELLED" } };
        }
        queuedPolls.push({ id: id ?? "", at: Date.now() });
        return { status: 200, body: { id, status: "IN_QUEUE" } };
      }
      if (!hold.targetId) {
        const started = await forward(effective.target, "run", "POST", hold.body);
        hold.targetId = (JSON.parse(started.body) as { id: string }).id;
      }
      const answer = await forward(effective.target, `${operation}/${hold.targetId}`, req.method, req.method === "POST" ? req.body : undefined);
      return { status: answer.status, body: answer.body.replaceAll(hold.targetId, id ?? "") };
    }
    if (effective.kind === "forward" && !ownJobs.has(id ?? "")) return forward(effective, `${operation}/${id}`, req.method, req.method === "POST" ? req.body : undefined);
    return { status: 200, body: { id, status: operation === "cancel" ? "CANCELLED" : "IN_PROGRESS" } };
  });
  return Object.assign(server, { apiUrl: `${server.url}/v2`, apiKey, endpointId, runs, cancels, queuedPolls, release: () => void (released = true) });
}

async function forward(target: { url: string; apiKey: string }, rest: string, method: string, body: string | undefined) {
  const response = await fetch(`${target.url.replace(/\/+$/, "")}/${rest}`, {
    method,
    headers: { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json" },
    body: body || undefined,
  });
  return { status: response.status, body: await response.text() };
}

/** One progress callback, as a builder sends right after it starts. */
async function reportOnce(input: RunInput) {
  await fetch(`${input.callback_url}/progress`, {
    method: "POST",
    headers: { authorization: `Bearer ${input.callback_secret}`, "content-type": "application/json" },
    body: JSON.stringify({ stage: "clone", percent: 5, message: "cloning" }),
  }).catch(() => undefined);
}
