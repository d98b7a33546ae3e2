import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { handler as dispatch } from "../src/pipeline/dispatch";
import { callApi, signIn } from "./support/api";
import { callback, uploadDocpack } from "./support/builds";
import { deliver, install, installationPayload, pushPayload, sha, TEST_INSTALLATION_ID, WEBHOOK_SECRET } from "./support/webhooks";

const alice = { id: 301, login: "alice", token: "gho_alice_hooks" };
const ENABLED_BRANCHES = ["main", "release/1.x", "burst", "parallel", "order", "dispatched", "fails"];

let env: TestEnvironment;
let cookie: string;

beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [alice],
    githubRepos: [
      { owner: "alice", name: "project", refs: { main: sha(1) } },
      { owner: "alice", name: "switched-off", refs: { main: sha(1) } },
      { owner: "alice", name: "trunk-only", defaultBranch: "trunk", refs: { trunk: sha(1) } },
    ],
    extraEnv: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
  cookie = await signIn(alice);
  await install(["alice/project", "alice/switched-off", "alice/trunk-only"]);
  const settings = [
    ["alice/project", { auto_build: true, branches: ENABLED_BRANCHES }],
    ["alice/switched-off", { auto_build: false, branches: [] }],
    ["alice/trunk-only", { auto_build: true, branches: [] }],
  ] as const;
  for (const [repo, body] of settings) expect((await callApi("PUT", `/api/repos/${repo}/settings`, { body, cookie })).status).toBe(200);
});
afterAll(() => env?.stop());
beforeEach(() => {
  env.stepFunctions.failStartWith = undefined;
});

const jobsOn = async (branch: string, repo = "alice/project") =>
  (await scanItems("job")).filter((job) => job.repo === repo && job.gitRef === branch) as Array<Record<string, any>>;
const starts = () => env.stepFunctions.callsOf("StartExecution");
/** Every item's key, to prove that a refused delivery wrote nothing at all. */
const tableKeys = async () => (await scanItems()).map((item) => `${item.pk}|${item.sk}|${item.updatedAt ?? ""}`).sort();

describe("POST /api/github/webhook: authentication", () => {
  it("refuses forged, tampered and incomplete deliveries with 401 and writes nothing", async () => {
    const payload = pushPayload({ after: sha(100) });
    const body = JSON.stringify(payload);
    const tampered = body.replace(sha(100), sha(101));
    const before = await tableKeys();
    const startsBefore = starts().length;

    const attempts = [
      await deliver("push", tampered, { signedText: body }),
      await deliver("push", payload, { secret: "not-the-secret" }),
      await deliver("push", payload, { headers: { "x-hub-signature-256": "" } }),
      await deliver("push", payload, { headers: { "x-hub-signature-256": "sha1=" + "a".repeat(40) } }),
      await deliver("push", payload, { headers: { "x-hub-signature-256": "sha256=" + "0".repeat(64) } }),
      await deliver("push", payload, { headers: { "x-github-delivery": "" } }),
      await deliver("push", payload, { headers: { "x-github-event": "" } }),
      await deliver("push", "", { signedText: "{}" }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(401);
      expect(response.json.error.code).toMatch(/^(invalid_signature|missing_signature|missing_webhook_headers)$/);
    }
    expect(attempts[0].json.error.code).toBe("invalid_signature");
    expect(attempts[2].json.error.code).toBe("missing_signature");
    expect(await tableKeys()).toEqual(before);
    expect(starts().length).toBe(startsBefore);
  });

  it("verifies the exact bytes: a body that is not UTF-8 cannot pass, even signed over its raw bytes", async () => {
    const before = await tableKeys();
    const raw = Buffer.concat([Buffer.from('{"ref":"refs/heads/main","x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(raw).digest("hex")}`;
    const response = await callApi("POST", "/api/github/webhook", {
      body: raw.toString("base64"),
      isBase64Encoded: true,
      headers: { origin: "", "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
    });
    expect(response.status).toBe(401);
    expect(await tableKeys()).toEqual(before);
  });

  it("answers 400 for malformed input behind a valid signature, and writes nothing", async () => {
    const before = await tableKeys();
    const bad = [
      await deliver("push", pushPayload({ after: sha(102) }), { deliveryId: "not a guid; drop table" }),
      await deliver("push", pushPayload({ after: sha(102) }), { headers: { "x-github-event": "Push<script>" } }),
      await deliver("push", "{not json"),
      await deliver("push", { ref: "refs/heads/main", after: "--upload-pack=touch /tmp/x", repository: { full_name: "alice/project" } }),
      await deliver("push", { zen: "no push fields" }),
    ];
    expect(bad.map((response) => response.status)).toEqual([400, 400, 400, 400, 400]);
    expect(bad.map((response) => response.json.error.code)).toEqual(["invalid_delivery_id", "invalid_event", "invalid_json", "invalid_payload", "invalid_payload"]);
    expect(await tableKeys()).toEqual(before);
  });

  it("answers 500 with a clear code when the webhook secret is not configured, writing nothing", async () => {
    const before = await tableKeys();
    delete process.env.GITHUB_WEBHOOK_SECRET;
    try {
      const response = await deliver("push", pushPayload({ after: sha(103) }));
      expect(response.status).toBe(500);
      expect(response.json.error.code).toBe("configuration_error");
    } finally {
      process.env.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET;
    }
    expect(await tableKeys()).toEqual(before);
  });
});

describe("POST /api/github/webhook: events", () => {
  it("answers ping with 200 and acknowledges other events with 202", async () => {
    const ping = await deliver("ping", { zen: "Keep it logically awesome.", hook_id: 123456 });
    expect(ping.status).toBe(200);
    expect(ping.json).toEqual({ result: "pong" });
    const issues = await deliver("issues", { action: "opened", repository: { full_name: "alice/project" } });
    expect(issues.status).toBe(202);
    expect(issues.json).toMatchObject({ result: "ignored", reason: "unsupported_event" });
  });

  it("turns a signed push to the default branch into exactly one job and one execution", async () => {
    const startsBefore = starts().length;
    const jobsBefore = (await jobsOn("main")).length;
    const response = await deliver("push", pushPayload({ before: sha(1), after: sha(110) }));
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ result: "build_started", job_id: expect.any(String), superseded_job_id: null });

    const jobs = await jobsOn("main");
    expect(jobs).toHaveLength(jobsBefore + 1);
    const job = jobs.find((item) => item.id === response.json.job_id)!;
    expect(job).toMatchObject({ userId: String(alice.id), repoKind: "github", gitRef: "main", commit: sha(110), status: "pending", public: false });
    expect(job.callbackBaseUrl).toBe("https://doctown.test");
    const newStarts = starts().slice(startsBefore);
    expect(newStarts).toHaveLength(1);
    expect(newStarts[0].name).toBe(job.id);
    expect(job.executionId).toContain(job.id);

    // The owner sees it among their jobs.
    const listed = await callApi("GET", "/api/jobs", { cookie });
    expect(listed.json.jobs.map((item: { job_id: string }) => item.job_id)).toContain(job.id);
  });

  it("takes a push to a docpack in the owner's list with no click (dispatch → builder callbacks)", async () => {
    const response = await deliver("push", pushPayload({ before: sha(110), after: sha(115) }));
    const jobId: string = response.json.job_id;
    // The pipeline's Dispatch task sends the job to (fake) RunPod; the builder's input carries the callback secret.
    const { runpodJobId } = await dispatch({ jobId, taskToken: `token-${jobId}` });
    const input = env.runpod.jobs.get(runpodJobId)!.input as { commit: string; git_ref: string; repo_url: string; callback_secret: string; github_token?: string };
    expect(input).toMatchObject({ commit: sha(115), git_ref: "main", repo_url: "https://github.com/alice/project.git" });
    // The build's token is the app installation's, for this repository, contents:read; never alice's own.
    const minted = env.github.installationTokens.at(-1)!;
    expect(minted).toMatchObject({ installationId: TEST_INSTALLATION_ID, repositories: ["project"], permissions: { contents: "read" } });
    expect(input.github_token).toBe(minted.token);
    expect(JSON.stringify(input)).not.toContain(alice.token);
    const upload = await uploadDocpack(jobId);
    const completed = await callback(jobId, "complete", input.callback_secret, { status: "succeeded", size: upload.size, sha256: upload.sha256 });
    expect(completed.status).toBe(200);
    const docpacks = await callApi("GET", "/api/docpacks", { cookie });
    expect(docpacks.json.docpacks).toContainEqual(expect.objectContaining({ job_id: jobId, repo: "alice/project", git_ref: "main", commit: sha(115), public: false }));
  });

  it("records every delivery once: a redelivery answers 200 and creates nothing", async () => {
    const payload = pushPayload({ ref: "refs/heads/release/1.x", after: sha(120) });
    const first = await deliver("push", payload);
    expect(first.json.result).toBe("build_started");
    const startsBefore = starts().length;
    const [again, concurrent] = await Promise.all([deliver("push", payload, { deliveryId: first.deliveryId }), deliver("push", payload, { deliveryId: first.deliveryId })]);
    for (const response of [again, concurrent]) {
      expect(response.status).toBe(200);
      expect(response.json.result).toBe("duplicate_delivery");
    }
    expect(await jobsOn("release/1.x")).toHaveLength(1);
    expect(starts().length).toBe(startsBefore);
    const deliveries = (await scanItems("webhookDelivery")).filter((item) => item.pk === `DELIVERY#${first.deliveryId}`);
    expect(deliveries).toHaveLength(1);
    expect(Number(deliveries[0].expiresAt)).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
  });

  it("accepts a base64-encoded body (verified after decoding)", async () => {
    const response = await deliver("push", pushPayload({ ref: "refs/heads/main", after: sha(130) }), { base64: true });
    expect(response.status).toBe(202);
    expect(response.json.result).toBe("build_started");
    expect((await jobsOn("main")).some((job) => job.commit === sha(130))).toBe(true);
  });

  it("creates no job for unknown repositories, auto-build off, branches not enabled, tags and deletions", async () => {
    const jobsBefore = (await scanItems("job")).length;
    const startsBefore = starts().length;
    const cases: Array<[ReturnType<typeof pushPayload>, string]> = [
      [pushPayload({ repo: "someone/unregistered", after: sha(140) }), "not_installed"],
      [pushPayload({ repo: "alice/switched-off", after: sha(141) }), "auto_build_off"],
      [pushPayload({ ref: "refs/heads/feature/wip", after: sha(142) }), "branch_not_enabled"],
      [pushPayload({ repo: "alice/trunk-only", ref: "refs/heads/main", defaultBranch: "trunk", after: sha(143) }), "branch_not_enabled"],
      [pushPayload({ ref: "refs/tags/v1.0.0", after: sha(144) }), "not_a_branch"],
      [pushPayload({ before: sha(110), after: "0".repeat(40), deleted: true }), "branch_deleted"],
    ];
    for (const [payload, reason] of cases) {
      const response = await deliver("push", payload);
      expect(response.status).toBe(202);
      expect(response.json).toEqual({ result: "ignored", reason });
    }
    expect((await scanItems("job")).length).toBe(jobsBefore);
    expect(starts().length).toBe(startsBefore);
  });

  it("builds the default branch when no branches are listed", async () => {
    const response = await deliver("push", pushPayload({ repo: "alice/trunk-only", ref: "refs/heads/trunk", defaultBranch: "trunk", after: sha(150) }));
    expect(response.json.result).toBe("build_started");
    expect(await jobsOn("trunk", "alice/trunk-only")).toMatchObject([{ commit: sha(150), status: "pending" }]);
  });
});

describe("POST /api/github/webhook: the app's installations", () => {
  it("builds nothing for a push naming another installation, or none (a repository webhook)", async () => {
    const jobsBefore = (await scanItems("job")).length;
    for (const installationId of [TEST_INSTALLATION_ID + 1, null]) {
      const response = await deliver("push", pushPayload({ after: sha(160), installationId }));
      expect(response.status).toBe(202);
      expect(response.json).toEqual({ result: "ignored", reason: "not_installed" });
    }
    expect((await scanItems("job")).length).toBe(jobsBefore);
  });

  it("a repository removed from the installation stops building; added back, it builds again", async () => {
    const removed = await deliver("installation_repositories", installationPayload("installation_repositories", "removed", ["alice/trunk-only"]));
    expect(removed.json).toEqual({ result: "installation_updated", action: "removed" });
    const push = (n: number) => deliver("push", pushPayload({ repo: "alice/trunk-only", ref: "refs/heads/trunk", defaultBranch: "trunk", after: sha(n) }));
    expect((await push(170)).json).toEqual({ result: "ignored", reason: "not_installed" });
    // The other repositories of the installation still build.
    expect((await deliver("push", pushPayload({ after: sha(171) }))).json.result).toBe("build_started");
    await deliver("installation_repositories", installationPayload("installation_repositories", "added", ["alice/trunk-only"]));
    expect((await push(172)).json.result).toBe("build_started");
  });

  it("a suspended installation builds nothing until unsuspended", async () => {
    await deliver("installation", installationPayload("installation", "suspend", []));
    expect((await deliver("push", pushPayload({ after: sha(175) }))).json).toEqual({ result: "ignored", reason: "not_installed" });
    await deliver("installation", installationPayload("installation", "unsuspend", []));
    expect((await deliver("push", pushPayload({ after: sha(176) }))).json.result).toBe("build_started");
  });

  it("acts once on the same signed body, whatever delivery id or event name it comes with", async () => {
    const body = JSON.stringify(pushPayload({ after: sha(180) }));
    const first = await deliver("push", body);
    expect(first.json.result).toBe("build_started");
    const replay = await deliver("push", body);
    expect(replay.deliveryId).not.toBe(first.deliveryId);
    expect(replay.status).toBe(200);
    expect(replay.json.result).toBe("duplicate_delivery");
    // An installation event re-labelled as another installation event (both parse): still once.
    const event = JSON.stringify(installationPayload("installation_repositories", "added", ["alice/relabel"]));
    expect((await deliver("installation_repositories", event)).status).toBe(202);
    const relabelled = await deliver("installation", event);
    expect(relabelled.status).toBe(200);
    expect(relabelled.json.result).toBe("duplicate_delivery");
    expect((await scanItems("job")).filter((job) => job.commit === sha(180))).toHaveLength(1);
  });

  it("after the app is uninstalled, no repository of it builds, and a late event brings none back", async () => {
    const deleted = await deliver("installation", installationPayload("installation", "deleted", ["alice/project"]));
    expect(deleted.json).toEqual({ result: "installation_updated", action: "deleted" });
    const jobsBefore = (await scanItems("job")).length;
    await deliver("installation_repositories", installationPayload("installation_repositories", "added", ["alice/project"]));
    for (const [repo, n] of [["alice/project", 190], ["alice/switched-off", 191]] as const) {
      const response = await deliver("push", pushPayload({ repo, after: sha(n) }));
      expect(response.json).toEqual({ result: "ignored", reason: "not_installed" });
    }
    expect((await scanItems("job")).length).toBe(jobsBefore);
  });
});
