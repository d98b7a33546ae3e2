/** The cloud Workflow: AWS Step Functions through @aws-sdk/client-sfn. */
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { optionalSetting, setting } from "./config";
import { service } from "./services";
import type { Workflow } from "./workflow";

/** The pipeline's workflow: Step Functions, unless the local stack provided its own. */
export function workflow(): Workflow {
  return service(
    "workflow",
    () =>
      new StepFunctionsWorkflow(
        new SFNClient({ endpoint: optionalSetting("DOCTOWN_SFN_ENDPOINT"), region: optionalSetting("AWS_REGION") ?? "us-east-1" }),
        setting("DOCTOWN_STATE_MACHINE_ARN"),
      ),
  );
}

/** Step Functions caps error names at 256 and causes at 32768 characters. */
const clip = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

/** The ARN an execution named `name` of this state machine has. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}

export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { jobId: string }) {
    try {
      const result = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: input.jobId, input: JSON.stringify(input) }),
      );
      return { executionId: result.executionArn ?? executionArnFor(this.stateMachineArn, input.jobId) };
    } catch (error) {
      // Named after the job: a second start for the same job is the same execution.
      if (error instanceof ExecutionAlreadyExists) return { executionId: executionArnFor(this.stateMachineArn, input.jobId) };
      throw error;
    }
  }

  async sendSuccess(taskToken: string, output: unknown) {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }));
  }

  async sendFailure(taskToken: string, error: string, cause: string) {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error: clip(error, 256), cause: clip(cause, 32_768) }));
  }

  async sendHeartbeat(taskToken: string) {
    await this.client.send(new SendTaskHeartbeatCommand({ taskToken }));
  }

  async stop(executionId: string, cause: string) {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: executionId, cause: clip(cause, 32_768) }));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return;
      throw error;
    }
  }
}
