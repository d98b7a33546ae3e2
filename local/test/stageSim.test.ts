/**
 * The synthesized stage, run here (local/src/stageSim): what `sst deploy` ships — templates, the
 * SST-built bundles, SST's secret loader, the HTTP API's routes, the CloudFront distribution, the
 * state machine's definition — taken through one job end to end. The synthesis is shared with the
 * stack tests (one per change of the inputs, see stageSim/synth.ts). Test names say where the
 * simulation is not the cloud; README "Stage simulation" lists it all.
 */
import { GetItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DOCPACK_PATHS, FilesJson, Manifest, SymbolsJson } from "@doctown/core/docpackFormat";
import { download, INSTALLATION_ID, OWNER, REPO_NAME, requiredSecrets, startScenario, waitForJob, type Scenario } from "../src/stageSim/scenario";
import { ensureSynth, TEST_SYNTH } from "../src/stageSim/synth";
import { directApiRequest } from "../src/stageSim/client";

/** A synthesis on a loaded 2-core machine can take minutes (another test file may hold the lock). */
const SYNTH_TIMEOUT_MS = 600_000;

describe("the synthesized stage, simulated", () => {
  let scenario: Scenario;
  const secrets = requiredSecrets();

  beforeAll(async () => {
    const synth = await ensureSynth(TEST_SYNTH);
    const started = Date.now();
    scenario = await startScenario({ outdir: synth.outdir, secrets });
    console.log(`stage simulation: synthesis ${synth.reused ? "reused" : "made"} in ${(synth.ms / 1000).toFixed(1)} s, stage up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, SYNTH_TIMEOUT_MS);
  afterAll(async () => {
    await scenario?.stop();
  });

  it("runs the state machine of the template, its Lambda tasks calling the deployed functions", () => {
    const { sim } = scenario;
    const [machine] = sim.assembly.resourcesOfType("AWS::StepFunctions::StateMachine");
    const text = JSON.stringify(sim.sfn.workflow.definition);
    expect(JSON.parse(text).States.Dispatch.Parameters.FunctionName).toBe(sim.functionByHandler("functions/src/pipeline/dispatch")?.spec.arn);
    // Everything but the substituted ARNs is the template's DefinitionString as it is.
    const template = String(machine.resource.Properties!.DefinitionString);
    const placeholders = text.replace(/arn:aws:lambda:[^"]+/g, "ARN");
    expect(placeholders).toBe(template.replace(/\$\{[A-Za-z]+\}/g, "ARN"));
  });

  it(
    "runs a job on a private repository to completed with only the required secrets (the GitHub App's included, no OPENAI_API_KEY): " +
      "app installed (signed installation webhook) → create → dispatch (installation token) → build → callbacks → completed → listed → download " +
      "[not simulated: GitHub OAuth sign-in (session written by core's session functions); R2 and GitHub API endpoints added to the functions' environment]",
    async () => {
      const { sim, client, repo } = scenario;
      expect(scenario.secrets.OPENAI_API_KEY).toBeUndefined();
      expect(Object.keys(scenario.secrets)).toEqual(expect.arrayContaining(["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY"]));
      const created = await client.send("POST", "/api/jobs", { repo: `${OWNER}/${REPO_NAME}`, git_ref: "main" });
      expect(created.status).toBe(202);
      const { job_id: jobId } = (await created.json()) as { job_id: string };

      const { job, seen } = await waitForJob(client, jobId);
      expect(job.error).toBeNull();
      expect(job.status).toBe("completed");
      expect(job.commit).toBe(repo.head);
      expect(seen.some((view) => view.status === "building")).toBe(true);

      // The bundled handlers reached the Step Functions stand-in (AWS_ENDPOINT_URL_SFN): the execution
      // the job started succeeds once complete's SendTaskSuccess arrives (just after the job is completed).
      const executionArn = `${sim.sfn.stateMachineArn.replace(":stateMachine:", ":execution:")}:${jobId}`;
      await vi.waitFor(() => expect(sim.sfn.workflow.describe(executionArn)?.status).toBe("SUCCEEDED"), { timeout: 30_000, interval: 100 });
      const operations = sim.sfn.calls.map((call) => call.operation);
      expect(operations, operations.join(", ")).toEqual(expect.arrayContaining(["StartExecution", "SendTaskHeartbeat", "SendTaskSuccess"]));
      // Dispatch minted a contents:read token of the app's installation for this one repository (its
      // app JWT signed with GITHUB_APP_PRIVATE_KEY), and the builder cloned https://github.com/octo/sample.git with it.
      const minted = scenario.gitHubApi.installationTokens.filter((t) => t.installationId === INSTALLATION_ID);
      expect(minted.map((t) => t.repositories)).toContainEqual([REPO_NAME]);
      const used = sim.github.authorizations.map((header) => Buffer.from(header.replace(/^Basic /, ""), "base64").toString());
      expect(used.some((credentials) => minted.some((t) => credentials.endsWith(`:${t.token}`)))).toBe(true);

      const listed = (await (await client.get("/api/docpacks")).json()) as { docpacks: { docpack_id: string; sha256: string; size: number }[] };
      const record = listed.docpacks.find((item) => item.docpack_id === job.docpack_id);
      expect(record).toBeDefined();
      const { bytes, sha256 } = await download(client, job.docpack_id!);
      expect(record).toMatchObject({ sha256, size: bytes.length });
      const entries = unzipSync(bytes);
      const json = (path: string) => JSON.parse(new TextDecoder().decode(entries[path]));
      const manifest = Manifest.parse(json(DOCPACK_PATHS.manifest));
      expect(manifest.repo.commit).toBe(repo.head);
      expect(FilesJson.parse(json(DOCPACK_PATHS.files)).map((f) => f.path)).toEqual(expect.arrayContaining(["src/math.ts", "tools/greet.py"]));
      expect(SymbolsJson.parse(json(DOCPACK_PATHS.symbols)).map((s) => s.name)).toEqual(expect.arrayContaining(["add", "Calculator", "greet"]));
    },
    180_000,
  );

  it("passes API errors through CloudFront to the client as the API's JSON with their status", async () => {
    const { client } = scenario;
    const missing = await client.get("/api/jobs/no-such-job");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("job_not_found");

    // A write from another origin is refused by the API (403), and the refusal arrives as JSON.
    const foreign = await client.send("POST", "/api/jobs", { repo: `${OWNER}/${REPO_NAME}`, git_ref: "main" }, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("origin_mismatch");
  });

  it("serves the dashboard from the site's asset, and the site's 404 page for unknown site paths", async () => {
    const { anonymous } = scenario;
    const home = await anonymous.get("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await home.text()).toMatch(/<html/i);
    // SST's viewer-request function maps /dashboard to dashboard.html or dashboard/index.html.
    const dashboard = await anonymous.get("/dashboard/");
    expect(dashboard.status).toBe(200);
    // The bucket answers a missing key with 403 (no s3:ListBucket behind the origin access
    // identity); the distribution's custom error responses turn it into the site's 404 page.
    const unknown = await anonymous.get("/no-such-page");
    const notFoundPage = await anonymous.get("/404.html");
    expect(notFoundPage.status).toBe(200);
    expect([403, 404]).toContain(unknown.status);
    expect(unknown.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await unknown.text()).toBe(await notFoundPage.text());
  });

  it("fails a function whose required secret is missing from SSM, with a message naming the secret", async () => {
    const { sim, client, anonymous } = scenario;
    const reposList = sim.functionByHandler("functions/src/repos/list")!;
    expect(reposList).toBeDefined();
    sim.ssm.parameters.delete(`/sst/${sim.app}/${sim.stage}/Secret/TOKEN_ENCRYPTION_KEY/value`);
    try {
      await reposList.stop(); // the next invocation is a cold start that loads the secrets again
      const response = await client.get("/api/repos");
      expect(response.status, await response.clone().text()).toBeGreaterThanOrEqual(500);
      expect(reposList.logs.join("\n")).toContain("TOKEN_ENCRYPTION_KEY");
      // Functions that do not need it keep working.
      expect((await anonymous.get("/api/docpacks/public")).status).toBe(200);
    } finally {
      sim.ssm.setSecret(sim.app, sim.stage, "TOKEN_ENCRYPTION_KEY", secrets.TOKEN_ENCRYPTION_KEY);
    }
  });

  it("evaluates each function's IAM policies from the template on its calls to Step Functions and DynamoDB (conditions not evaluated)", async () => {
    const { sim } = scenario;
    const credentialsOf = (handler: string) => {
      const env = sim.functionByHandler(handler)!.environment();
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    };
    const start = (handler: string) =>
      new SFNClient({ endpoint: sim.sfn.url, region: "us-east-1", credentials: credentialsOf(handler) }).send(
        new StartExecutionCommand({ stateMachineArn: sim.sfn.stateMachineArn, name: `iam-${handler.split("/").pop()}`, input: JSON.stringify({ jobId: "no-such-job" }) }),
      );
    // jobs/get may not start executions; jobs/create may.
    await expect(start("functions/src/jobs/get")).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(start("functions/src/jobs/create")).resolves.toMatchObject({ executionArn: expect.stringContaining(":execution:") });

    const dynamo = (handler: string) => new DynamoDBClient({ endpoint: sim.dynamodbUrl, region: "us-east-1", credentials: credentialsOf(handler) });
    const key = { pk: { S: "IAM#probe" }, sk: { S: "IAM" } };
    // docpacks/listPublic only reads; jobs/get reads and writes (sessions slide).
    await expect(dynamo("functions/src/docpacks/listPublic").send(new PutItemCommand({ TableName: sim.tableName, Item: key }))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    await expect(dynamo("functions/src/docpacks/listPublic").send(new GetItemCommand({ TableName: sim.tableName, Key: key }))).resolves.toBeDefined();
    await expect(dynamo("functions/src/jobs/get").send(new PutItemCommand({ TableName: sim.tableName, Item: key }))).resolves.toBeDefined();
    expect(sim.iam.denied.map((d) => d.action)).toEqual(expect.arrayContaining(["states:StartExecution", "dynamodb:PutItem"]));
  });

  it("lets no request that bypasses CloudFront choose the site origin (forged x-forwarded-host and Origin at the execute-api endpoint)", async () => {
    const { sim, client } = scenario;
    const before = ((await (await client.get("/api/jobs")).json()) as { jobs: unknown[] }).jobs.length;
    // The default endpoint is either disabled by the template, or must refuse what did not come through the distribution.
    if (sim.executeApi) {
      const evil = "https://evil.example";
      const answer = await directApiRequest(sim.executeApi, sim.ca, {
        method: "POST",
        path: "/api/jobs",
        headers: { cookie: client.cookie!, origin: evil, "x-forwarded-host": "evil.example", "content-type": "application/json" },
        body: JSON.stringify({ repo: `${OWNER}/${REPO_NAME}`, git_ref: "main" }),
      });
      expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
    }
    const after = ((await (await client.get("/api/jobs")).json()) as { jobs: unknown[] }).jobs.length;
    expect(after).toBe(before);
  });

  it("runs each EventBridge scheduled rule's Lambda target with its permissions (fired by hand here, not on its clock)", async () => {
    const { sim } = scenario;
    expect(sim.schedules.length).toBeGreaterThan(0);
    const deniedBefore = sim.iam.denied.length;
    for (const rule of sim.schedules) await expect(rule.fire(), rule.logicalId).resolves.toBeDefined();
    expect(sim.iam.denied.slice(deniedBefore)).toEqual([]);
  });
});
