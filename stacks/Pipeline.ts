import { ArnFormat, Stack } from "aws-cdk-lib";
import { DefinitionBody, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { Cron, Function, use, type StackContext } from "sst/constructs";
import { SWEEP_EVERY_MINUTES } from "../core/src/jobSweep";
import { DEFINITION_SUBSTITUTIONS, DISPATCH_TIMEOUT_SECONDS, pipelineDefinition } from "../core/src/pipeline/definition";
import { PIPELINE_HANDLERS, SCHEDULED_HANDLERS } from "../functions/src/routes";
import { Data } from "./Data";
import { Secrets } from "./Secrets";
import { tableEnvironment, tableRead, tableScan, tableWrite, taskCallbacks } from "./permissions";
import { lambdaTimeout, stageSettings } from "./stageSettings";

/** The build pipeline: one Standard state machine per stage, defined by the ASL object in core/. */
export function Pipeline({ stack, app }: StackContext) {
  const { table } = use(Data);
  const secrets = use(Secrets);
  const { runpodApiUrl } = stageSettings();
  // Every function here calls RunPod; the endpoint id is the RUNPOD_ENDPOINT_ID secret.
  const environment = { ...tableEnvironment(table), RUNPOD_API_URL: runpodApiUrl };
  const runpodSecrets = [secrets.runpodApiKey, secrets.runpodEndpointId];
  // A job that ends without a docpack has its uploaded object deleted (R2, core/src/job.ts).
  const r2Secrets = [secrets.r2AccountId, secrets.r2AccessKeyId, secrets.r2SecretAccessKey, secrets.r2Bucket];
  const stateMachineName = app.logicalPrefixedName("pipeline");
  // Formatted from the name, not taken from the state machine (which references this function).
  const stateMachineArn = Stack.of(stack).formatArn({
    service: "states",
    resource: "stateMachine",
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

  // Dispatch heartbeats its task while the job waits in RunPod's queue (core/src/runpodQueue.ts);
  // its timeout also covers POST /run and a cancel, each with the RunPod client's own retries.
  const dispatch = new Function(stack, "Dispatch", {
    handler: `functions/src/${PIPELINE_HANDLERS.dispatch}.handler`,
    timeout: DISPATCH_TIMEOUT_SECONDS + lambdaTimeout({ runpodCalls: 2, githubCalls: 2 }),
    environment: { ...environment, DOCTOWN_STATE_MACHINE_ARN: stateMachineArn },
    permissions: [tableRead(table), tableWrite(table), taskCallbacks(stateMachineArn, "SendTaskHeartbeat")],
    // Storage (presigned PUT), RunPod, and installation tokens minted as the app. No OpenAI key:
    // only the builder reads it, in its own environment on RunPod.
    bind: [
      secrets.r2AccountId, secrets.r2AccessKeyId, secrets.r2SecretAccessKey, secrets.r2Bucket,
      ...runpodSecrets, secrets.githubAppId, secrets.githubAppPrivateKey,
    ],
  });
  const markFailed = new Function(stack, "MarkFailed", {
    handler: `functions/src/${PIPELINE_HANDLERS.markFailed}.handler`,
    timeout: lambdaTimeout({ runpodCalls: 1 }),
    environment,
    permissions: [tableRead(table), tableWrite(table)],
    bind: [...runpodSecrets, ...r2Secrets],
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

  // Fails jobs stuck in flight past the pipeline's limit (core/src/jobSweep.ts), e.g. when
  // MarkFailed itself failed; each one may need a RunPod cancel, so it gets minutes, not seconds.
  const sweeper = new Cron(stack, "Sweeper", {
    schedule: `rate(${SWEEP_EVERY_MINUTES} minutes)`,
    job: {
      function: {
        handler: `functions/src/${SCHEDULED_HANDLERS.sweep}.handler`,
        timeout: 300,
        environment,
        permissions: [tableRead(table), tableWrite(table), tableScan(table)],
        bind: [...runpodSecrets, ...r2Secrets],
      },
    },
  });

  // Deletes docpack objects no record points at (uploads of builds that failed between upload and
  // record, core/src/docpackSweep.ts); lists the bucket, so hourly rather than with the job sweeper.
  const docpackSweeper = new Cron(stack, "DocpackSweeper", {
    schedule: "rate(1 hour)",
    job: {
      function: {
        handler: `functions/src/${SCHEDULED_HANDLERS.sweepDocpacks}.handler`,
        timeout: 300,
        environment: tableEnvironment(table),
        permissions: [tableRead(table)],
        bind: r2Secrets,
      },
    },
  });

  stack.addOutputs({ StateMachineArn: stateMachine.stateMachineArn });
  return { stateMachine, dispatch, markFailed, sweeper, docpackSweeper };
}
