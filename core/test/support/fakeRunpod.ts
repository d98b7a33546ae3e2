/**
 * RunPod's serverless API at its HTTP boundary: POST /v2/{endpoint}/run, GET /v2/{endpoint}/status/{id},
 * POST /v2/{endpoint}/cancel/{id}, with Bearer auth. `failNext` makes the next calls answer an error.
 * With `worker`, a worker takes a queued job when its status is first asked (IN_QUEUE → IN_PROGRESS),
 * so Dispatch, which watches the queue until the build starts, returns.
 */
import { startFakeServer, type FakeServer } from "./fakeServer";

export type FakeRunpod = FakeServer & {
  apiUrl: string;
  jobs: Map<string, { input: unknown; status: string }>;
  /** Status codes the next requests answer with, in order (e.g. [429, 503]). */
  failNext: number[];
};

export async function startFakeRunpod(options: { apiKey: string; endpointId: string; worker?: boolean }): Promise<FakeRunpod> {
  const jobs = new Map<string, { input: unknown; status: string }>();
  const failNext: number[] = [];
  let counter = 0;
  const server = await startFakeServer((req) => {
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return { status: 401, body: { error: "Unauthorized" } };
    const failure = failNext.shift();
    if (failure) return { status: failure, body: { error: `HTTP ${failure}` } };
    const prefix = `/v2/${options.endpointId}`;
    if (!req.path.startsWith(prefix)) return { status: 404, body: { error: "endpoint not found" } };
    const rest = req.path.slice(prefix.length);
    if (req.method === "POST" && rest === "/run") {
      const id = `rp-${++counter}`;
      jobs.set(id, { input: (req.json() as { input?: unknown })?.input, status: "IN_QUEUE" });
      return { status: 200, body: { id, status: "IN_QUEUE" } };
    }
    const match = /^\/(status|cancel)\/([^/]+)$/.exec(rest);
    const job = match && jobs.get(match[2]);
    if (!match || !job) return { status: 404, body: { error: "job not found" } };
    if (match[1] === "cancel" && req.method === "POST") job.status = "CANCELLED";
    else if (match[1] !== "status" || req.method !== "GET") return { status: 405, body: { error: "method not allowed" } };
    else if (options.worker && job.status === "IN_QUEUE") job.status = "IN_PROGRESS";
    return { status: 200, body: { id: match[2], status: job.status } };
  });
  return Object.assign(server, { apiUrl: `${server.url}/v2`, jobs, failNext });
}
