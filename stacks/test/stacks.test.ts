import { Match, Template } from "aws-cdk-lib/assertions";
import { getStack } from "sst/constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { pipelineDefinition } from "../../core/src/pipeline/definition";
import { TABLE_KEYS } from "../../core/src/table";
import { ROUTES } from "../../functions/src/routes";
import { pageContentSecurityPolicy, R2_STORAGE_ORIGIN } from "../../functions/src/securityHeaders";
import { Api } from "../Api";
import { Data } from "../Data";
import { Pipeline } from "../Pipeline";
import { Secrets } from "../Secrets";
import { API_PATH_PATTERNS, Web } from "../Web";
import { synthesizeApp } from "../synth";
import { readAssembly } from "../../local/src/stageSim/assembly";
import { ensureSynth, TEST_SYNTH } from "../../local/src/stageSim/synth";

type Templates = Record<"secrets" | "data" | "pipeline" | "api" | "web", Template>;

async function templatesFor(stage: string): Promise<Templates> {
  await synthesizeApp(stage);
  return {
    secrets: Template.fromStack(getStack(Secrets)),
    data: Template.fromStack(getStack(Data)),
    pipeline: Template.fromStack(getStack(Pipeline)),
    api: Template.fromStack(getStack(Api)),
    web: Template.fromStack(getStack(Web)),
  };
}

/**
 * The preview stage from the synthesis the stage simulation's test runs too (one synthesis for
 * both, made once per change of the inputs; see local/src/stageSim/synth.ts).
 */
let previewStackNames: string[] = [];
async function sharedTemplates(): Promise<Templates> {
  const { outdir } = await ensureSynth(TEST_SYNTH);
  const { stacks } = readAssembly(outdir);
  const of = (name: string) => {
    const stack = stacks.find((s) => s.stackName === `${TEST_SYNTH.stage}-doctown-${name}`);
    if (!stack) throw new Error(`no stack ${name} in ${outdir}`);
    return Template.fromJSON(stack.template);
  };
  previewStackNames = stacks.map((s) => s.stackName);
  return { secrets: of("Secrets"), data: of("Data"), pipeline: of("Pipeline"), api: of("Api"), web: of("Web") };
}

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
  let t: Templates;
  beforeAll(async () => {
    t = await sharedTemplates();
  }, 300_000);

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
    expect(previewStackNames).toContain("pr-42-doctown-Data");
  });

  it("declares every secret as an SST Config.Secret", () => {
    const params = JSON.stringify(t.secrets.toJSON());
    for (const name of [
      "GITHUB_APP_ID", "GITHUB_APP_SLUG", "GITHUB_APP_PRIVATE_KEY",
      "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GITHUB_WEBHOOK_SECRET", "R2_ACCOUNT_ID", "R2_ACCESS_KEY_ID",
      "R2_SECRET_ACCESS_KEY", "R2_BUCKET", "RUNPOD_API_KEY", "RUNPOD_ENDPOINT_ID", "OPENAI_API_KEY", "TOKEN_ENCRYPTION_KEY",
    ]) {
      expect(params).toContain(name);
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
    for (const template of Object.values(t)) {
      for (const statement of statements(template)) {
        for (const action of actionsOf(statement)) {
          expect(action === "*" || action.endsWith(":*"), `wildcard action ${action}`).toBe(false);
        }
      }
    }
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
      // Only actions IAM cannot scope to a resource may use "*": task callbacks and X-Ray tracing.
      if (s.Resource === "*")
        expect(actionsOf(s).every((a) => a.startsWith("states:SendTask") || a.startsWith("xray:Put"))).toBe(true);
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
              FunctionAssociations: [Match.objectLike({ EventType: "viewer-request" })],
            }),
          ),
        ),
      }),
    });
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
});

describe("the prod stage", () => {
  let t: Templates;
  beforeAll(async () => {
    t = await templatesFor("prod");
  }, 300_000);

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
