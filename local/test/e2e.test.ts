/**
 * The whole product on the local stack (dynalite, s3rver, the embedded builder, the pipeline on
 * aws-local-stepfunctions, the gateway): dev sign-in → job for a real git repository → docpack.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineDefinition } from "@doctown/core/pipeline/definition";
import { startLocalStack, type LocalStack } from "../src/stack";
import { BUILD_TEST_TIMEOUT_MS, isFinished, signIn, waitForJob, type ApiClient } from "./support/client";
import { downloadDocpack, readDocpack } from "./support/docpack";
import { makeRepo, NO_LLM_ENV, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";

const BUILDER_STAGES = new Set(["queued", "clone", "scan", "extract", "document", "pack", "upload", "done"]);

describe("the local stack, end to end", () => {
  let stack: LocalStack;
  let alice: ApiClient;
  let repo: TestRepo;

  beforeAll(async () => {
    repo = makeRepo(SAMPLE_FILES);
    stack = await startLocalStack({ port: 0, env: NO_LLM_ENV });
    alice = await signIn(stack.url, "alice");
  });
  afterAll(async () => {
    await stack?.stop();
    repo?.remove();
  });

  const definitionAsDeployed = JSON.stringify(pipelineDefinition);

  it("runs core's pipeline definition object", () => {
    expect(stack.workflow.definition).toBe(pipelineDefinition);
  });

  it("turns a git repository into a docpack: pending → building (stages, progress) → completed → download", async () => {
    const created = await alice.post("/api/jobs", { repo: repo.path, git_ref: "main" });
    expect(created.status).toBe(202);
    const { job_id: jobId, status } = await created.json();
    expect(status).toBe("pending");

    const { job, seen } = await waitForJob(alice, jobId, isFinished);
    expect(job.error).toBeNull();
    expect(job.status).toBe("completed");
    expect(job.progress).toBe(100);
    expect(job.commit).toBe(repo.head);
    const building = seen.filter((view) => view.status === "building");
    expect(building.length).toBeGreaterThan(0);
    for (const view of building) expect(BUILDER_STAGES, `stage ${view.stage}`).toContain(view.stage);
    const progress = seen.map((view) => view.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never backwards
    // Statuses only ever move forward.
    const order = ["pending", "building", "completed"];
    const statuses = seen.map((view) => order.indexOf(view.status));
    expect(statuses).toEqual([...statuses].sort((a, b) => a - b));

    const { bytes, sha256 } = await downloadDocpack(alice, job.docpack_id!);
    const listed = await alice.getJson<{ docpacks: { docpack_id: string; sha256: string; size: number }[] }>("/api/docpacks");
    const record = listed.docpacks.find((item) => item.docpack_id === job.docpack_id);
    expect(record).toMatchObject({ sha256, size: bytes.length });

    const docpack = readDocpack(bytes);
    expect(docpack.manifest.repo.commit).toBe(repo.head);
    expect(docpack.manifest.repo.git_ref).toBe("main");
    expect(docpack.manifest.docs.mode).toBe("placeholder");
    expect(docpack.files.map((file) => file.path).sort()).toEqual(expect.arrayContaining(["src/math.ts", "tools/greet.py"]));
    const symbol = (name: string) => docpack.symbols.find((s) => s.name === name);
    expect(symbol("add")).toMatchObject({ kind: "function", file: "src/math.ts", exported: true });
    expect(symbol("Calculator")).toMatchObject({ kind: "class", file: "src/math.ts" });
    expect(symbol("push")).toMatchObject({ kind: "method", file: "src/math.ts" });
    expect(symbol("greet")).toMatchObject({ kind: "function", file: "tools/greet.py" });
    expect(docpack.paths).toEqual(expect.arrayContaining(["docs/index.md", "docs/files/src/math.ts.md"]));
    expect(docpack.manifest.stats.symbols).toBe(docpack.symbols.length);
  }, BUILD_TEST_TIMEOUT_MS);

  it("refuses a repository that does not exist, with a clear reason, and creates no job", async () => {
    const before = await alice.getJson<{ jobs: unknown[] }>("/api/jobs");
    const response = await alice.post("/api/jobs", { repo: `${repo.path}-missing`, git_ref: "main" });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.code).toBe("repo_not_found");
    expect(error.message).toContain(`${repo.path}-missing`);
    const after = await alice.getJson<{ jobs: unknown[] }>("/api/jobs");
    expect(after.jobs).toHaveLength(before.jobs.length);
  });

  it("refuses a ref that does not exist and a ref that would be an option to git", async () => {
    const missing = await alice.post("/api/jobs", { repo: repo.path, git_ref: "no-such-branch" });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.code).toBe("ref_not_found");
    const option = await alice.post("/api/jobs", { repo: repo.path, git_ref: "--upload-pack=touch /tmp/pwned" });
    expect(option.status).toBe(400);
  });

  it("running executions leaves the definition exactly as deployed (the library does not modify it)", () => {
    expect(JSON.stringify(stack.workflow.definition)).toBe(definitionAsDeployed);
  });

  it("keeps other users out of a job and its docpack", async () => {
    const created = await alice.post("/api/jobs", { repo: `file://${repo.path}`, git_ref: "main" });
    expect(created.status).toBe(202);
    const { job_id: jobId } = await created.json();
    const { job } = await waitForJob(alice, jobId, isFinished);
    expect(job.status).toBe("completed");
    const bob = await signIn(stack.url, "bob");
    expect((await bob.get(`/api/jobs/${jobId}`)).status).toBe(404);
    expect((await bob.get(`/api/docpacks/${job.docpack_id}/download`, { redirect: "manual" })).status).toBe(404);
    expect((await fetch(`${stack.url}/api/jobs/${jobId}`)).status).toBe(401);
  }, BUILD_TEST_TIMEOUT_MS);
});
