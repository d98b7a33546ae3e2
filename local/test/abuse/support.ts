/**
 * The abuse suite's set-up: a local stack whose builder is a RunPod stand-in that takes jobs and
 * stays silent (so builds stay in flight and the test plays the builder), a git repository, and a
 * figure log: every test prints the figure it held.
 */
import { afterAll } from "vitest";
import { startFakeGitHub } from "@doctown/core/test/support/fakeGitHub";
import { startLocalStack, type LocalStack } from "../../src/stack";
import { makeRepo, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { startRunpodStandIn, type RunpodStandIn } from "../support/runpodStandIn";

export type AbuseStack = { stack: LocalStack; runpod: RunpodStandIn; repo: TestRepo };

/** Starts the stack once per file; stopped after the file's tests. */
export function useAbuseStack(): (() => AbuseStack) & { ready(): Promise<AbuseStack> } {
  let current: AbuseStack | undefined;
  let starting: Promise<AbuseStack> | undefined;
  afterAll(async () => {
    if (!current) return;
    await current.stack.stop();
    await current.runpod.close();
    current.repo.remove();
  });
  const get = () => {
    if (!current) throw new Error("call await abuseStack.ready() in beforeAll");
    return current;
  };
  return Object.assign(get, {
    ready: () =>
      (starting ??= (async () => {
        const runpod = await startRunpodStandIn({ kind: "silent" });
        // GitHub at its HTTP boundary (it knows none of the dev users): no request leaves the machine.
        const github = await startFakeGitHub();
        const stack = await startLocalStack({ port: 0, runpod: { url: runpod.apiUrl, apiKey: runpod.apiKey, endpointId: runpod.endpointId }, env: { GITHUB_API_URL: github.url } });
        current = { stack: { ...stack, stop: async () => (await stack.stop(), await github.close()) }, runpod, repo: makeRepo(SAMPLE_FILES) };
        return current;
      })()),
  });
}

/** Prints one held figure, e.g. "12 parallel creates → 3 accepted". */
export function figure(text: string) {
  console.log(`[abuse] ${text}`);
}
