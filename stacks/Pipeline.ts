import { ArnFormat, Stack } from "aws-cdk-lib";
import { DefinitionBody, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { Function, use, type StackContext } from "sst/constructs";
import { DEFINITION_SUBSTITUTIONS, DISPATCH_TIMEOUT_SECONDS, pipelineDefinition } from "../core/src/pipeline/definition";
import { PIPELINE_HANDLERS } from "../functions/src/routes";
import { Data } from "./Data";
import { Secrets } from "./Secrets";
import { taskCallbacks, tableEnvironment, tableRead, tableWrite } from "./permissions";

/** The build pipeline: one Standard state machine per stage, defined by the ASL object in core/. */
export function Pipeline({ stack, app }: StackContext) {
  const { table } = use(Data);
  const secrets = use(Secrets);
  const environment = tableEnvironment(table);
  const stateMachineName = app.logicalPrefixedName("pipeline");
  // Formatted from the name, not taken from the state machine (which references this function).
  const stateMachineArn = Stack.of(stack).formatArn({
    service: "states",
    resource: "stateMachine",
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

  // Dispatch heartbeats its task while the job waits in RunPod's queue (core/src/runpodQueue.ts).
  const dispatch = new Function(stack, "Dispatch", {
    handler: `functions/src/${PIPELINE_HANDLERS.dispatch}.handler`,
    timeout: DISPATCH_TIMEOUT_SECONDS,
    environment: { ...environment, DOCTOWN_STATE_MACHINE_ARN: stateMachineArn },
    permissions: [tableRead(table), tableWrite(table), taskCallbacks("SendTaskHeartbeat")],
    bind: [
      secrets.r2AccountId, secrets.r2AccessKeyId, secrets.r2SecretAccessKey, secrets.r2Bucket,
      secrets.runpodApiKey, secrets.runpodEndpointId, secrets.openaiApiKey,
      // Installation tokens for builds are minted here, as the app.
      secrets.githubAppId, secrets.githubAppPrivateKey,
    ],
  });
  const markFailed = new Function(stack, "MarkFailed", {
    handler: `functions/src/${PIPELINE_HANDLERS.markFailed}.handler`,
    environment,
    permissions: [tableRead(table), tableWrite(table)],
    bind: [secrets.runpodApiKey, secrets.runpodEndpointId],
  });

  const stateMachine = new StateMachine(stack, "StateMachine", {
    stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(JSON.stringify(pipelineDefinition)),
    definitionSubstitutions: {
      [DEFINITION_SUBSTITUTIONS.dispatch]: dispatch.functionArn,
      [DEFINITION_SUBSTITUTIONS.markFailed]: markFailed.functionArn,
    },
  });
  dispatch.grantInvoke(stateMachine);
  markFailed.grantInvoke(stateMachine);

  stack.addOutputs({ StateMachineArn: stateMachine.stateMachineArn });
  return { stateMachine, dispatch, markFailed };
}
