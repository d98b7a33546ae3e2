/**
 * Step Functions for the simulated stage: the state machine of the template (its DefinitionString
 * with DefinitionSubstitutions resolved to the simulated functions' ARNs) run by the local
 * workflow engine (aws-local-stepfunctions + task tokens, heartbeats and timeouts from
 * local/src/taskTokens.ts), behind the Step Functions API at its HTTP boundary (AWS JSON 1.0):
 * what the bundled handlers call through AWS_ENDPOINT_URL_SFN.
 */
import type { PipelineInput } from "@doctown/core/pipeline/definition";
import { LocalWorkflow, type LambdaHandler } from "../workflow";
import { AwsError, startAwsJsonServer, type AwsJsonServer } from "./awsJson";
import type { Iam } from "./iam";

export type StepFunctionsStandIn = AwsJsonServer & { workflow: LocalWorkflow; stateMachineArn: string };

export async function startStepFunctions(options: {
  stateMachineArn: string;
  /** The template's DefinitionString with its substitutions resolved. */
  definition: unknown;
  functionFor(functionName: string): LambdaHandler;
  iam: Iam;
}): Promise<StepFunctionsStandIn> {
  const { stateMachineArn, iam } = options;
  const executionArn = (name: string) => `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
  let starting = "";
  const inputs = new Map<string, string>();
  const workflow = new LocalWorkflow({
    deployed: {
      definition: options.definition as LocalWorkflow["definition"],
      functionFor: options.functionFor,
      executionId: () => starting,
    },
  });
  const callback = async (action: () => Promise<void>) => {
    try {
      await action();
      return {};
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TaskDoesNotExist" || name === "TaskTimedOut") throw new AwsError(name, (error as Error).message);
      throw error;
    }
  };
  const server = await startAwsJsonServer({
    targetPrefix: "AWSStepFunctions",
    version: "1.0",
    operations: {
      async StartExecution({ stateMachineArn: arn, name, input }: { stateMachineArn: string; name?: string; input?: string }, headers) {
        iam.check(headers, "states:StartExecution", [arn]);
        if (arn !== stateMachineArn) throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
        const id = executionArn(name ?? crypto.randomUUID());
        const text = input ?? "{}";
        if (inputs.has(id)) {
          // Standard workflows: the same name and input is the same execution; another input is refused.
          if (inputs.get(id) !== text) throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${id}'`);
          return { executionArn: id, startDate: Date.now() / 1000 };
        }
        inputs.set(id, text);
        starting = id;
        await workflow.start(JSON.parse(text) as PipelineInput);
        return { executionArn: id, startDate: Date.now() / 1000 };
      },
      // A task token belongs to an execution of this state machine: IAM checks the machine's ARN.
      SendTaskSuccess: ({ taskToken, output }: { taskToken: string; output: string }, headers) => {
        iam.check(headers, "states:SendTaskSuccess", [stateMachineArn]);
        return callback(() => workflow.sendSuccess(taskToken, JSON.parse(output)));
      },
      SendTaskFailure: ({ taskToken, error, cause }: { taskToken: string; error?: string; cause?: string }, headers) => {
        iam.check(headers, "states:SendTaskFailure", [stateMachineArn]);
        return callback(() => workflow.sendFailure(taskToken, error ?? "", cause ?? ""));
      },
      SendTaskHeartbeat: ({ taskToken }: { taskToken: string }, headers) => {
        iam.check(headers, "states:SendTaskHeartbeat", [stateMachineArn]);
        return callback(() => workflow.sendHeartbeat(taskToken));
      },
      async StopExecution({ executionArn: id, cause }: { executionArn: string; cause?: string }, headers) {
        iam.check(headers, "states:StopExecution", [id]);
        if (!inputs.has(id)) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${id}'`);
        await workflow.stop(id, cause ?? "");
        return { stopDate: Date.now() / 1000 };
      },
      DescribeExecution({ executionArn: id }: { executionArn: string }, headers) {
        iam.check(headers, "states:DescribeExecution", [id]);
        const record = workflow.describe(id);
        if (!record) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${id}'`);
        return { executionArn: id, stateMachineArn, status: record.status, input: inputs.get(id), error: record.error };
      },
    },
  });
  const close = server.close;
  return Object.assign(server, {
    workflow,
    stateMachineArn,
    async close() {
      await workflow.close();
      await close();
    },
  });
}
