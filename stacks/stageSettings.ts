/**
 * Plain (non-secret) settings of a stage, read at deploy time from the environment of `sst deploy`.
 * SST loads `.env.<stage>` (and `.env.<stage>.local`) before running the stacks, so a stage keeps
 * its settings in that file and every deploy applies the same values:
 *
 *   RUNPOD_API_URL     RunPod's API base (default https://api.runpod.ai/v2); the endpoint id is
 *                      the RUNPOD_ENDPOINT_ID secret
 *   DOCTOWN_SITE_URL   the site's URL when it is served under a domain of your own; otherwise the
 *                      functions use the distribution's URL (stored by the Web stack)
 */
export const DEFAULT_RUNPOD_API_URL = "https://api.runpod.ai/v2";

function httpsUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an https URL, got ${JSON.stringify(raw)} (set it in .env.<stage>).`);
  }
  // Plain http only for a stand-in on this machine (the stage simulation, tests).
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new Error(`${name} must be an https URL, got ${JSON.stringify(raw)} (set it in .env.<stage>).`);
  return raw.replace(/\/+$/, "");
}

export function stageSettings(env: NodeJS.ProcessEnv = process.env) {
  const runpodApiUrl = httpsUrl("RUNPOD_API_URL", env.RUNPOD_API_URL?.trim() || DEFAULT_RUNPOD_API_URL);
  const siteUrl = env.DOCTOWN_SITE_URL?.trim() ? new URL(httpsUrl("DOCTOWN_SITE_URL", env.DOCTOWN_SITE_URL.trim())).origin : undefined;
  return { runpodApiUrl, siteUrl };
}

/**
 * Worst cases of the clients the handlers use (core/src/runpod.ts and github.ts defaults): a
 * Lambda's timeout must cover its own retries, or it dies with the work half done.
 */
const RUNPOD_CALL_SECONDS = 3 * 10 + 0.25 + 0.5; // 3 attempts × 10 s timeout + backoff 250, 500 ms
const GITHUB_CALL_SECONDS = 10;
const SSM_LOAD_SECONDS = 2 * 5; // secrets: stage path, then the fallback path, 5 s each
const MARGIN_SECONDS = 10; // DynamoDB (3 attempts), presigning, the function's own work

/**
 * A Lambda timeout that outlasts `runpodCalls` RunPod calls and `githubCalls` GitHub calls in
 * sequence. For an API route this may exceed API Gateway's 30 s integration limit: the caller then
 * gets a 503 while the function still finishes (or fails) its work cleanly instead of dying midway.
 */
export function lambdaTimeout({ runpodCalls = 0, githubCalls = 0 }: { runpodCalls?: number; githubCalls?: number }): number {
  return Math.ceil(runpodCalls * RUNPOD_CALL_SECONDS + githubCalls * GITHUB_CALL_SECONDS + SSM_LOAD_SECONDS + MARGIN_SECONDS);
}
