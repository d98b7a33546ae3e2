/**
 * End-to-end figures on the local stack (prints them; not a test):
 *  1. time from POST /api/jobs to `completed` for a generated ~200-file repository, placeholder
 *     docs (no LLM), median of several runs (goal: under 3 s);
 *  2. requests/s and latency percentiles of GET /api/jobs/{id} under a bounded load on 127.0.0.1.
 * Usage: node --import tsx bench/e2e/run.ts [--runs 5] [--files 200] [--requests 3000] [--concurrency 16]
 */
import { parseArgs } from "node:util";
import { startLocalStack } from "@doctown/local/stack";
import { generatedFiles, makeRepo } from "@doctown/testing/repos";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
delete process.env.OPENAI_API_KEY; // placeholder docs: the figure is Doctown's own overhead

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    files: { type: "string", default: "200" },
    requests: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "16" },
  },
});
const runs = Number(values.runs);
const fileCount = Number(values.files);
const requestCount = Number(values.requests);
const concurrency = Number(values.concurrency);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

const repo = makeRepo(generatedFiles(fileCount));
const stack = await startLocalStack({ port: 0 });
try {
  const origin = stack.url;
  const signIn = await fetch(`${origin}/auth/dev`, { method: "POST", headers: { origin, "content-type": "application/json" }, body: '{"login":"bench"}' });
  const cookie = signIn.headers.getSetCookie()[0].split(";")[0];

  async function buildOnce(): Promise<{ ms: number; jobId: string }> {
    const started = performance.now();
    const created = await fetch(`${origin}/api/jobs`, {
      method: "POST",
      headers: { origin, cookie, "content-type": "application/json" },
      body: JSON.stringify({ repo: repo.path, git_ref: "main" }),
    });
    if (created.status !== 202) throw new Error(`POST /api/jobs answered ${created.status}: ${await created.text()}`);
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    for (;;) {
      const job = (await (await fetch(`${origin}/api/jobs/${jobId}`, { headers: { cookie } })).json()) as { status: string; error: unknown };
      if (job.status === "completed") return { ms: performance.now() - started, jobId };
      if (job.status !== "pending" && job.status !== "building") throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const warm = await buildOnce(); // first build loads the parsers
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await buildOnce()).ms);
  console.log(`\nPOST /api/jobs → completed, ${fileCount}-file repository, placeholder docs, embedded builder`);
  console.log(`  warm-up ${warm.ms.toFixed(0)} ms; runs: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
  console.log(`  median ${median(times).toFixed(0)} ms (goal < 3000 ms)`);

  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const loadStarted = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requestCount) {
        const t0 = performance.now();
        const response = await fetch(`${origin}/api/jobs/${warm.jobId}`, { headers: { cookie } });
        await response.arrayBuffer();
        if (response.status !== 200) failures++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - loadStarted) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(`\nGET /api/jobs/{id}: ${latencies.length} requests, ${concurrency} concurrent, 127.0.0.1`);
  console.log(`  ${(latencies.length / seconds).toFixed(0)} requests/s; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ${failures} non-200`);
} finally {
  await stack.stop();
  repo.remove();
}
