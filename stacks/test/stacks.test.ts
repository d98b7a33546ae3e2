import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_NAMES } from "../../core/src/config";
import { STALE_AFTER_SECONDS, SWEEP_EVERY_MINUTES } from "../../core/src/jobSweep";
import { EXECUTION_TIMEOUT_SECONDS, pipelineDefinition } from "../../core/src/pipeline/definition";
import { TABLE_KEYS } from "../../core/src/table";
import { ORIGIN_VERIFY_HEADER, ROUTES } from "../../functions/src/routes";
import { pageContentSecurityPolicy, R2_STORAGE_ORIGIN } from "../../functions/src/securityHeaders";
import { API_PATH_PATTERNS } from "../Web";
import { siteUrlParameterName } from "../permissions";
import { DEFAULT_RUNPOD_API_URL } from "../stageSettings";
import { synthesizeApp } from "../synth";
import { readAssembly } from "../../local/src/stageSim/assembly";
import { ensureSynth, REPO_ROOT, TEST_SYNTH } from "../../local/src/stageSim/synth";

type Templates = Record<"secrets" | "data" | "pipeline" | "api" | "web", Template>;

/**
 * A stage's templates from its shared synthesis (local/src/stageSim/synth.ts): made in a child
 * process once per change of the inputs (sources, the stage's settings in the environment) and
 * reused by later runs; the preview stage's is the one the stage simulation's test runs too.
 */
async function synthesizedTemplates(synth: { stage: string; outdir: string }): Promise<Templates & { outdir: string; stackNames: string[] }> {
  const { outdir } = await ensureSynth(synth);
  const { stacks } = readAssembly(outdir);
  const of = (name: string) => {
    const stack = stacks.find((s) => s.stackName === `${synth.stage}-doctown-${name}`);
    if (!stack) throw new Error(`no stack ${name} in ${outdir}`);
    return Template.fromJSON(stack.template);
  };
  return { outdir, stackNames: stacks.map((s) => s.stackName), secrets: of("Secrets"), data: of("Data"), pipeline: of("Pipeline"), api: of("Api"), web: of("Web") };
}

type Fn = { id: string; handler: string; env: Record<string, unknown>; timeout: number; assetDir: string; code: string };

/** Doctown's Lambda functions of a template (not SST's or the CDK's helpers), with their deployed code. */
function functionsOf(template: Template, outdir: string): Fn[] {
  return Object.entries(template.findResources("AWS::Lambda::Function"))
    .filter(([, r]) => String(r.Properties.Handler).startsWith("functions/"))
    .map(([id, r]) => {
      const assetDir = join(outdir, `asset.${String(r.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
      const module = String(r.Properties.Handler).replace(/\.[^.]+$/, "");
      return {
        id,
        handler: String(r.Properties.Handler),
        env: r.Properties.Environment?.Variables ?? {},
        timeout: r.Properties.Timeout,
        assetDir,
        code: readFileSync(join(assetDir, `${module}.mjs`), "utf8"),
      };
    });
}

const boundSecrets = (fn: Fn) =>
  Object.keys(fn.env).filter((k) => k.startsWith("SST_Secret_value_")).map((k) => k.slice("SST_Secret_value_".length)).sort();
/** The secrets a bundle can read: their names survive minification as string literals. */
const secretsReadBy = (fn: Fn) => SECRET_NAMES.filter((name) => fn.code.includes(`"${name}"`)).sort();

/** Every IAM statement in a template, from inline policies and managed policies alike. */
function statements(template: Template) {
  const found: { Action: string | string[]; Resource: unknown }[] = [];
  for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
    for (const resource of Object.values(template.findResources(type))) {
      found.push(...(resource.Properties.PolicyDocument.Statement ?? []));
    }
  }
  return found;
}

const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe(`a preview stage (${TEST_SYNTH.stage})`, () => {
  let t: Awaited<ReturnType<typeof synthesizedTemplates>>;
  beforeAll(async () => {
    t = await synthesizedTemplates(TEST_SYNTH);
  }, 600_000);

  it("has one on-demand table with pk/sk, gsi1, gsi2 and the TTL attribute", () => {
    t.data.resourceCountIs("AWS::DynamoDB::Table", 1);
    t.data.hasResourceProperties("AWS::DynamoDB::Table", {
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: "gsi1",
          KeySchema: [
            { AttributeName: "gsi1pk", KeyType: "HASH" },
            { AttributeName: "gsi1sk", KeyType: "RANGE" },
          ],
        }),
        Match.objectLike({ IndexName: "gsi2", KeySchema: Match.arrayWith([{ AttributeName: "gsi2pk", KeyType: "HASH" }]) }),
      ]),
    });
  });

  it("destroys the table with the stage and skips point-in-time recovery", () => {
    t.data.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Delete", UpdateReplacePolicy: "Delete" });
    const [table] = Object.values(t.data.findResources("AWS::DynamoDB::Table"));
    expect(table.Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ?? false).toBe(false);
  });

  it("carries the stage in resource names so previews deploy beside prod", () => {
    t.pipeline.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineName: "pr-42-doctown-pipeline",
      StateMachineType: "STANDARD",
    });
    expect(t.stackNames).toContain("pr-42-doctown-Data");
  });

  it("declares every secret the functions read as an SST Config.Secret, and no OpenAI key (the builder's, on RunPod)", () => {
    const params = JSON.stringify(t.secrets.toJSON());
    for (const name of SECRET_NAMES) expect(params).toContain(name);
    expect(params).not.toContain("OPENAI");
  });

  it("binds each function exactly the secrets its bundled code reads (issue 18 item 6)", () => {
    const fns = [...functionsOf(t.api, t.outdir), ...functionsOf(t.pipeline, t.outdir)];
    expect(fns.length).toBe(Object.keys(ROUTES).length + 4);
    const mismatched = fns
      .filter((fn) => JSON.stringify(boundSecrets(fn)) !== JSON.stringify(secretsReadBy(fn)))
      .map((fn) => ({ handler: fn.handler, bound: boundSecrets(fn), read: secretsReadBy(fn) }));
    expect(JSON.stringify(mismatched)).toBe("[]");
    const dispatch = fns.find((fn) => fn.handler.includes("pipeline/dispatch"))!;
    expect(boundSecrets(dispatch)).toContain("RUNPOD_API_KEY");
    expect(Object.keys(dispatch.env).some((k) => k.includes("OPENAI"))).toBe(false);
  });

  it("ships minified handlers without source maps, and loads none at start", () => {
    for (const fn of [...functionsOf(t.api, t.outdir), ...functionsOf(t.pipeline, t.outdir)]) {
      expect(fn.env.NODE_OPTIONS, fn.handler).toBeUndefined();
      expect(fn.code, fn.handler).not.toContain("sourceMappingURL");
      const files = readdirSync(fn.assetDir, { recursive: true }).map(String);
      expect(files.filter((f) => f.endsWith(".map")), fn.handler).toEqual([]);
      // Minified: long lines (unminified esbuild output averages ~40 characters a line).
      expect(fn.code.length / fn.code.split("\n").length, fn.handler).toBeGreaterThan(400);
    }
  });

  it("bundles only the SDK clients a handler uses (no registry of every client)", () => {
    const fns = functionsOf(t.api, t.outdir);
    const logout = fns.find((fn) => fn.handler.includes("auth/logout"))!;
    const download = fns.find((fn) => fn.handler.includes("docpacks/download"))!;
    const create = fns.find((fn) => fn.handler.includes("jobs/create"))!;
    // Operation names survive minification: the S3 client serialises "PutObject", SFN "StartExecution".
    expect(logout.code).not.toContain("PutObject");
    expect(logout.code).not.toContain("StartExecution");
    expect(logout.code).not.toContain("GetParametersCommand");
    expect(download.code).toContain("GetObject");
    expect(create.code).toContain("StartExecution");
  });

  it("gives each function a timeout that outlasts its own retries", () => {
    const fns = [...functionsOf(t.api, t.outdir), ...functionsOf(t.pipeline, t.outdir)];
    // RunPod client: 3 attempts × 10 s + backoff per call; Dispatch may call it twice (run, cancel).
    const runpodCall = 3 * 10 + 0.75;
    const timeoutOf = (handler: string) => fns.find((fn) => fn.handler.includes(handler))!.timeout;
    expect(timeoutOf("pipeline/dispatch")).toBeGreaterThan(2 * runpodCall);
    for (const handler of ["pipeline/markFailed", "jobs/cancel", "github/webhook"]) expect(timeoutOf(handler)).toBeGreaterThan(runpodCall);
    expect(timeoutOf("jobs/create")).toBeGreaterThan(2 * 10);
  });

  it("passes the stage's RunPod API URL to every function that calls RunPod", () => {
    const fns = [...functionsOf(t.api, t.outdir), ...functionsOf(t.pipeline, t.outdir)];
    for (const fn of fns) {
      const callsRunpod = boundSecrets(fn).includes("RUNPOD_API_KEY");
      expect(fn.env.RUNPOD_API_URL, fn.handler).toBe(callsRunpod ? DEFAULT_RUNPOD_API_URL : undefined);
    }
  });

  it("gives every function GitHub's addresses as stage settings", () => {
    for (const template of [t.api, t.pipeline]) {
      for (const fn of Object.values(template.findResources("AWS::Lambda::Function"))) {
        const variables = fn.Properties.Environment?.Variables;
        if (!variables?.DOCTOWN_TABLE) continue;
        expect(variables).toMatchObject({ GITHUB_URL: "https://github.com", GITHUB_API_URL: "https://api.github.com" });
      }
    }
  });

  it("deploys the ASL object from core/, with the function ARNs substituted", () => {
    const machine = Object.values(t.pipeline.findResources("AWS::StepFunctions::StateMachine"))[0];
    // CloudFormation receives the JSON text as is; only the ${...} placeholders are substituted.
    expect(JSON.parse(machine.Properties.DefinitionString)).toEqual(pipelineDefinition);
    expect(Object.keys(machine.Properties.DefinitionSubstitutions).sort()).toEqual([
      "DispatchFunctionArn",
      "MarkFailedFunctionArn",
    ]);
  });

  it("waits for the builder's callback with a timeout, a heartbeat, retries and a catch", () => {
    const dispatch = JSON.parse(JSON.stringify(pipelineDefinition)).States.Dispatch;
    expect(dispatch.Resource).toBe("arn:aws:states:::lambda:invoke.waitForTaskToken");
    expect(dispatch.TimeoutSeconds).toBeGreaterThan(0);
    expect(dispatch.HeartbeatSeconds).toBeGreaterThan(0);
    expect(dispatch.Retry[0].ErrorEquals).toContain("RunpodUnavailable");
    expect(dispatch.Catch[0]).toMatchObject({ ErrorEquals: ["States.ALL"], Next: "MarkFailed" });
    expect(pipelineDefinition.States.Failed.Type).toBe("Fail");
    expect(pipelineDefinition.TimeoutSeconds).toBeGreaterThan(dispatch.TimeoutSeconds);
  });

  it("lets the state machine invoke exactly its two functions", () => {
    const invoke = statements(t.pipeline).filter((s) => actionsOf(s).includes("lambda:InvokeFunction"));
    expect(invoke.length).toBeGreaterThan(0);
    const resources = JSON.stringify(invoke.map((s) => s.Resource));
    expect(resources).toContain("Dispatch");
    expect(resources).toContain("MarkFailed");
  });

  it("routes every API path of functions/src/routes.ts", () => {
    const routes = Object.values(t.api.findResources("AWS::ApiGatewayV2::Route")).map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it("runs every handler on nodejs22.x", () => {
    for (const template of [t.api, t.pipeline]) {
      for (const fn of Object.values(template.findResources("AWS::Lambda::Function"))) {
        if (String(fn.Properties.Handler).startsWith("index.handler") && !fn.Properties.Environment?.Variables?.DOCTOWN_TABLE) continue;
        expect(fn.Properties.Runtime).toBe("nodejs22.x");
      }
    }
  });

  it("grants no wildcard action anywhere", () => {
    for (const template of Object.values(t).filter((value): value is Template => value instanceof Template)) {
      for (const statement of statements(template)) {
        for (const action of actionsOf(statement)) {
          expect(action === "*" || action.endsWith(":*"), `wildcard action ${action}`).toBe(false);
        }
      }
    }
  });

  it("scopes the task-token callbacks to the state machine", () => {
    const callbacks = statements(t.api).filter((s) => actionsOf(s).some((a) => a.startsWith("states:SendTask")));
    expect(callbacks.length).toBe(2);
    for (const s of callbacks) {
      expect(s.Resource).not.toBe("*");
      expect(JSON.stringify(s.Resource)).toContain("StateMachine");
    }
  });

  it("sweeps stuck jobs on a schedule with core's rule, past the pipeline's limit", () => {
    expect(STALE_AFTER_SECONDS).toBeGreaterThan(EXECUTION_TIMEOUT_SECONDS);
    const rules = Object.values(t.pipeline.findResources("AWS::Events::Rule"));
    expect(rules.map((r) => r.Properties.ScheduleExpression).sort()).toEqual(["rate(1 hour)", `rate(${SWEEP_EVERY_MINUTES} minutes)`].sort());
    const sweeper = functionsOf(t.pipeline, t.outdir).find((fn) => fn.handler === "functions/src/pipeline/sweep.handler")!;
    const jobRule = rules.find((r) => r.Properties.ScheduleExpression === `rate(${SWEEP_EVERY_MINUTES} minutes)`)!;
    expect(JSON.stringify(jobRule.Properties.Targets)).toContain(Object.keys(t.pipeline.findResources("AWS::Lambda::Function")).find((id) => id.startsWith("Sweeper"))!);
    // Orphaned docpack objects are swept hourly by their own function.
    const docpackRule = rules.find((r) => r.Properties.ScheduleExpression === "rate(1 hour)")!;
    expect(JSON.stringify(docpackRule.Properties.Targets)).toContain(Object.keys(t.pipeline.findResources("AWS::Lambda::Function")).find((id) => id.startsWith("DocpackSweeper"))!);
    expect(functionsOf(t.pipeline, t.outdir).some((fn) => fn.handler === "functions/src/pipeline/sweepDocpacks.handler")).toBe(true);
    expect(sweeper.timeout).toBeGreaterThanOrEqual(60);
    const scans = statements(t.pipeline).filter((s) => actionsOf(s).includes("dynamodb:Scan"));
    expect(scans.length).toBe(1);
  });

  it("grants Step Functions actions only where they are needed", () => {
    const byAction = (action: string) =>
      statements(t.api).filter((s) => actionsOf(s).includes(action)).length;
    // create + alias + webhook may start; cancel + webhook may stop; callbacks only on their routes.
    expect(byAction("states:StartExecution")).toBe(3);
    expect(byAction("states:StopExecution")).toBe(2);
    expect(byAction("states:SendTaskHeartbeat")).toBe(1);
    expect(byAction("states:SendTaskSuccess")).toBe(1);
    expect(byAction("states:SendTaskFailure")).toBe(1);
    for (const s of statements(t.api)) {
      // Only actions IAM cannot scope to a resource may use "*": X-Ray tracing.
      if (s.Resource === "*") expect(actionsOf(s).every((a) => a.startsWith("xray:Put"))).toBe(true);
    }
  });

  it("serves the dashboard and the API from one CloudFront distribution", () => {
    t.web.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: Match.arrayWith(
          API_PATH_PATTERNS.map((pattern) =>
            Match.objectLike({
              PathPattern: pattern,
              AllowedMethods: Match.arrayWith(["PUT", "PATCH", "POST", "DELETE"]),
              ViewerProtocolPolicy: "redirect-to-https",
            }),
          ),
        ),
      }),
    });
  });

  it("lets API errors through untouched: no custom error responses, the 404 page only for site paths", () => {
    const [distribution] = Object.values(t.web.findResources("AWS::CloudFront::Distribution"));
    const config = distribution!.Properties.DistributionConfig;
    expect(config.CustomErrorResponses ?? []).toEqual([]);
    for (const behavior of config.CacheBehaviors) expect(behavior.FunctionAssociations ?? [], behavior.PathPattern).toEqual([]);
    // The default (site) behaviour routes at the edge: run its function's code on sample requests.
    const [association] = config.DefaultCacheBehavior.FunctionAssociations;
    expect(association.EventType).toBe("viewer-request");
    const functions = t.web.findResources("AWS::CloudFront::Function");
    const fnId = association.FunctionARN["Fn::GetAtt"][0];
    const code = functions[fnId]!.Properties.FunctionCode as string;
    const handler = new Function(`${code}\nreturn handler;`)() as (event: unknown) => any;
    const run = (uri: string) => handler({ request: { uri, method: "GET", headers: {}, querystring: {} } });
    expect(run("/").uri).toBe("/index.html");
    expect(run("/dashboard").uri).toBe("/dashboard/index.html");
    expect(run("/dashboard/").uri).toBe("/dashboard/index.html");
    expect(run("/_astro/app.123.js").uri).toBe("/_astro/app.123.js");
    const missing = run("/no/such/page");
    expect(missing.statusCode).toBe(404);
    expect(missing.body.data).toBe(readFileSync("web/dist/404.html", "utf8"));
  });

  it("sends CSP, HSTS, nosniff, frame DENY and a referrer policy with every page and API answer", () => {
    t.web.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: pageContentSecurityPolicy([R2_STORAGE_ORIGIN]), Override: false },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: "same-origin", Override: false },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true }),
        }),
      }),
    });
    const policies = Object.keys(t.web.findResources("AWS::CloudFront::ResponseHeadersPolicy"));
    expect(policies).toHaveLength(1);
    const distribution = Object.values(t.web.findResources("AWS::CloudFront::Distribution"))[0] as any;
    const config = distribution.Properties.DistributionConfig;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policies[0] });
  });

  it("sends the API's requests with the stage's origin-verify header, which the API requires", () => {
    const [distribution] = Object.values(t.web.findResources("AWS::CloudFront::Distribution"));
    const origins = distribution!.Properties.DistributionConfig.Origins as { CustomOriginConfig?: unknown; OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[];
    const apiOrigin = origins.find((o) => o.CustomOriginConfig)!;
    const header = apiOrigin.OriginCustomHeaders!.find((h) => h.HeaderName === ORIGIN_VERIFY_HEADER)!;
    // Web gets the Api stack's id through an export; the functions split the same id in their stack.
    expect(JSON.stringify(header.HeaderValue)).toContain("Fn::ImportValue");
    for (const fn of functionsOf(t.api, t.outdir)) {
      expect(fn.env.DOCTOWN_ORIGIN_VERIFY, fn.handler).toEqual({ "Fn::Select": [2, { "Fn::Split": ["/", { Ref: "AWS::StackId" }] }] });
    }
  });

  it("gives the API the site's URL through SSM, never from a request header", () => {
    t.web.hasResourceProperties("AWS::SSM::Parameter", {
      Name: siteUrlParameterName({ name: "doctown", stage: "pr-42" }),
      Value: Match.objectLike({ "Fn::Join": Match.anyValue() }),
    });
    expect(JSON.stringify(t.web.toJSON())).not.toContain("x-forwarded-host");
    const reads = statements(t.api).filter((s) => actionsOf(s).includes("ssm:GetParameters") && JSON.stringify(s.Resource).includes("Parameter/SITE_URL"));
    expect(reads.length).toBe(Object.keys(ROUTES).length);
    for (const fn of functionsOf(t.api, t.outdir)) expect(fn.env.SST_Parameter_value_SITE_URL).toBe("__FETCH_FROM_SSM__");
  });
});

describe("the prod stage", () => {
  let t: Awaited<ReturnType<typeof synthesizedTemplates>>;
  const custom = { RUNPOD_API_URL: "https://runpod.proxy.example/v2", DOCTOWN_SITE_URL: "https://docs.example.org" };
  beforeAll(async () => {
    // A stage's settings, as SST loads them from .env.prod at deploy time.
    Object.assign(process.env, custom);
    try {
      t = await synthesizedTemplates({ stage: "prod", outdir: join(REPO_ROOT, ".sst/dist/test-prod") });
    } finally {
      for (const name of Object.keys(custom)) delete process.env[name];
    }
  }, 300_000);

  it("takes the RunPod API URL and the site URL from the stage's settings", () => {
    const fns = [...functionsOf(t.api, t.outdir), ...functionsOf(t.pipeline, t.outdir)];
    expect(fns.find((fn) => fn.handler.includes("pipeline/dispatch"))!.env.RUNPOD_API_URL).toBe(custom.RUNPOD_API_URL);
    expect(fns.find((fn) => fn.handler.includes("jobs/cancel"))!.env.RUNPOD_API_URL).toBe(custom.RUNPOD_API_URL);
    for (const fn of functionsOf(t.api, t.outdir)) expect(fn.env.DOCTOWN_SITE_URL).toBe(custom.DOCTOWN_SITE_URL);
  });

  it("retains the table and enables point-in-time recovery", () => {
    t.data.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    t.data.hasResourceProperties("AWS::DynamoDB::Table", {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it("names resources after the stage", () => {
    t.pipeline.hasResourceProperties("AWS::StepFunctions::StateMachine", { StateMachineName: "prod-doctown-pipeline" });
  });
});

describe("stage names", () => {
  it('refuses to deploy a stage called "local", which would enable the dev sign-in', async () => {
    await expect(synthesizeApp("local")).rejects.toThrow(/reserved/);
  });
});
