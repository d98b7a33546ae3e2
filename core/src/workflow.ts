/**
 * The orchestration seam: AWS Step Functions in the cloud, aws-local-stepfunctions on the local
 * stack. Handlers only ever talk to this interface.
 */
import type { PipelineInput } from "./pipeline/definition";

export interface Workflow {
  /** Starts the pipeline for a job; the execution is named after the job (idempotent). Returns its id/ARN. */
  start(input: PipelineInput): Promise<{ executionId: string }>;
  sendSuccess(taskToken: string, output: unknown): Promise<void>;
  sendFailure(taskToken: string, error: string, cause: string): Promise<void>;
  sendHeartbeat(taskToken: string): Promise<void>;
  /** Stops a running execution (cancel); a finished or unknown one is not an error. */
  stop(executionId: string, cause: string): Promise<void>;
}
