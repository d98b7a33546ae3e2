/**
 * The state machine the CDK stack deploys and the one the local stack runs are the same: the local
 * workflow runs core's definition object itself, and the synthesized DefinitionString is that
 * object (with only the function ARNs left to CloudFormation's substitutions).
 *
 * The app is synthesized offline with the same sst.config.ts and stacks as `sst deploy`, in SST's
 * "dev" mode: the Pipeline stack is built by the same code, only the Lambda bundles are stubs, which
 * saves bundling every handler (stacks/test does the full deploy-mode synth).
 */
import { Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFINITION_SUBSTITUTIONS, pipelineDefinition } from "@doctown/core/pipeline/definition";
import config from "../../sst.config";
import { Pipeline } from "../../stacks/Pipeline";
import { OFFLINE_ENV } from "../../stacks/synth";
import { startLocalStack, type LocalStack } from "../src/stack";

describe("one pipeline definition, deployed and local", () => {
  let stack: LocalStack;
  let deployed: { DefinitionString: string; DefinitionSubstitutions: Record<string, unknown> };

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    await initProject({ stage: "local-parity", region: OFFLINE_ENV.region });
    const app = new App({ mode: "dev", stage: "local-parity", ...OFFLINE_ENV });
    await config.stacks(app);
    await app.finish();
    const machines = Template.fromStack(getStack(Pipeline)).findResources("AWS::StepFunctions::StateMachine");
    expect(Object.keys(machines)).toHaveLength(1);
    deployed = Object.values(machines)[0].Properties;
  }, 120_000);
  afterAll(() => stack?.stop());

  it("the local stack runs core's definition object itself", () => {
    expect(stack.workflow.definition).toBe(pipelineDefinition);
  });

  it("the synthesized state machine is that definition, with the ARNs substituted by CloudFormation", () => {
    expect(typeof deployed.DefinitionString).toBe("string");
    expect(JSON.parse(deployed.DefinitionString)).toEqual(stack.workflow.definition);
    expect(Object.keys(deployed.DefinitionSubstitutions).sort()).toEqual(Object.values(DEFINITION_SUBSTITUTIONS).sort());
  });
});
