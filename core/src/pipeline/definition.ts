/**
 * The build pipeline as Amazon States Language data. This one object is what the CDK stack
 * deploys (through `DefinitionBody.fromString` + `definitionSubstitutions`) and what the local
 * stack runs with aws-local-stepfunctions, so the two can never drift apart.
 */

/** Placeholders that CloudFormation replaces with the Lambda ARNs at deploy time. */
export const DEFINITION_SUBSTITUTIONS = {
  dispatch: "DispatchFunctionArn",
  markFailed: "MarkFailedFunctionArn",
} as const;

/** Errors the dispatch handler throws when RunPod is briefly unavailable (429/5xx). */
export const RETRYABLE_DISPATCH_ERRORS = ["RunpodUnavailable"] as const;
/** RunPod's 400 "no capacity": no worker can be had now; worth waiting longer for than a blip. */
export const NO_CAPACITY_ERRORS = ["RunpodNoCapacity"] as const;

/**
 * The longest a job may wait in RunPod's queue before a worker takes it. Dispatch watches RunPod's
 * /status meanwhile and sends the heartbeats (core/src/runpodQueue.ts), so its Lambda timeout must
 * exceed this (DISPATCH_TIMEOUT_SECONDS).
 */
export const QUEUE_WAIT_SECONDS = 600;
// The wait, plus /run and a last /status (each up to 3 attempts of 10 s) and the records around them.
export const DISPATCH_TIMEOUT_SECONDS = QUEUE_WAIT_SECONDS + 120;
/** The longest a build may run (queue wait included), and the longest a started builder may stay silent. */
export const BUILD_TIMEOUT_SECONDS = QUEUE_WAIT_SECONDS + 1800;
export const HEARTBEAT_SECONDS = 120;
export const EXECUTION_TIMEOUT_SECONDS = BUILD_TIMEOUT_SECONDS + 300;

const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

export const pipelineDefinition = {
  Comment: "Doctown build: dispatch the builder on RunPod, wait for its callback, record failures.",
  StartAt: "Dispatch",
  TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
  States: {
    Dispatch: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: {
        FunctionName: "${" + DEFINITION_SUBSTITUTIONS.dispatch + "}",
        Payload: {
          "jobId.$": "$.jobId",
          "taskToken.$": "$$.Task.Token",
        },
      },
      TimeoutSeconds: BUILD_TIMEOUT_SECONDS,
      HeartbeatSeconds: HEARTBEAT_SECONDS,
      ResultPath: "$.result",
      Retry: [
        {
          ErrorEquals: [...RETRYABLE_DISPATCH_ERRORS, ...LAMBDA_TRANSIENT_ERRORS],
          IntervalSeconds: 2,
          MaxAttempts: 4,
          BackoffRate: 2,
        },
        // ~6½ minutes of "no capacity" (30 s, 45 s, 68 s, 101 s, 152 s) before the job fails.
        { ErrorEquals: [...NO_CAPACITY_ERRORS], IntervalSeconds: 30, MaxAttempts: 5, BackoffRate: 1.5 },
      ],
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "MarkFailed" }],
      Next: "Done",
    },
    MarkFailed: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      Parameters: {
        FunctionName: "${" + DEFINITION_SUBSTITUTIONS.markFailed + "}",
        Payload: {
          "jobId.$": "$.jobId",
          "error.$": "$.error",
        },
      },
      ResultPath: null,
      Retry: [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: "Failed",
    },
    Failed: { Type: "Fail", Error: "JobFailed", Cause: "The build did not complete; the job records why." },
    Done: { Type: "Succeed" },
  },
} as const;

export type PipelineInput = { jobId: string };
