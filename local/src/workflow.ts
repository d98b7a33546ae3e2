/**
 * The local Workflow: the pipeline's ASL (the very object the CDK stack deploys) run in-process by
 * aws-local-stepfunctions. Lambda tasks call the same handler functions with the Payload Step
 * Functions would build from `Parameters`. The library knows no task tokens and no heartbeats, so
 * `.waitForTaskToken` tasks are implemented here: a task resolves on sendSuccess, rejects on
 * sendFailure, and fails with States.Timeout / States.HeartbeatTimeout when its clocks run out.
 */
import { randomUUID } from "node:crypto";
import { ExecutionAbortedError, ExecutionError, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { DEFINITION_SUBSTITUTIONS, pipelineDefinition, type PipelineInput } from "@doctown/core/pipeline/definition";
import type { Workflow } from "@doctown/core/workflow";
import { PIPELINE_HANDLERS } from "@doctown/functions/routes";
import { named, TaskTokens } from "./taskTokens";

// The library uses Promise.withResolvers, which Node 20 lacks (Node 22 has it).
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

export type LambdaHandler = (payload: unknown) => Promise<unknown>;
type TaskState = { Type: "Task"; Resource: string; Parameters?: { FunctionName?: string }; TimeoutSeconds?: number; HeartbeatSeconds?: number };

export type LocalWorkflowOptions = {
  /** Handlers by substitution key (dispatch, markFailed); default: the functions/ modules. */
  handlers?: Partial<Record<keyof typeof DEFINITION_SUBSTITUTIONS, LambdaHandler>>;
  /** Overrides every waitForTaskToken task's TimeoutSeconds / HeartbeatSeconds (tests, short runs). */
  taskTimeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** Overrides the pause between retries (milliseconds) instead of IntervalSeconds × BackoffRate. */
  retryIntervalMs?: number;
  /**
   * Another definition with its substitutions already resolved (the stage simulation runs the
   * synthesized one), and the function each Task's FunctionName names; default: core's object.
   */
  deployed?: { definition: typeof pipelineDefinition; functionFor(functionName: string): LambdaHandler; executionId(input: PipelineInput): string };
};

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
export type ExecutionRecord = { executionId: string; input: PipelineInput; status: ExecutionStatus; error?: string; events: string[] };

const MAX_EVENTS = 200;
const MAX_EXECUTIONS_KEPT = 1000;

export class LocalWorkflow implements Workflow {
  /** What this workflow runs: the very object core exports (a test checks the identity). */
  readonly definition: typeof pipelineDefinition;
  private readonly machine: StateMachine;
  private readonly tokens = new TaskTokens();
  private readonly executions = new Map<string, ExecutionRecord & { abort: () => void; done: Promise<void> }>();
  /** Lambda handler calls under way (a dispatch mid-flight must finish recording what it started). */
  private readonly invocations = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: LocalWorkflowOptions = {}) {
    this.definition = options.deployed?.definition ?? pipelineDefinition;
    // The library's validator (asl-validator, Ajv with defaults) writes "QueryLanguage" into the
    // definition it checks: it checks a copy, and the machine runs the untouched original.
    new StateMachine(structuredClone(this.definition) as unknown as StateMachineDefinition);
    this.machine = new StateMachine(this.definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  }

  async start(input: PipelineInput): Promise<{ executionId: string }> {
    if (this.closed) throw new Error("The local workflow is shut down.");
    const executionId = this.options.deployed?.executionId(input) ?? `local:doctown-pipeline:${input.jobId}`;
    // Named after the job, like the cloud: starting twice is the same execution.
    if (this.executions.has(executionId)) return { executionId };

    // Registered before running: the library enters the first state synchronously.
    const record: ExecutionRecord & { abort: () => void; done: Promise<void> } = {
      executionId,
      input,
      status: "RUNNING",
      events: [],
      abort: () => {},
      done: Promise.resolve(),
    };
    this.executions.set(executionId, record);
    this.forgetOldExecutions();
    const context = { Execution: { Id: executionId, Name: input.jobId }, Task: { Token: newToken(executionId) } };
    const run = this.machine.run(input, {
      noThrowOnAbort: true,
      context,
      overrides: { taskResourceLocalHandlers: this.taskHandlers(executionId, context), retryIntervalOverrides: this.retryOverrides() },
    });
    record.abort = run.abort;
    record.done = settle(run.result, record);
    void collectEvents(run.eventLogs, record);
    return { executionId };
  }

  async sendSuccess(taskToken: string, output: unknown): Promise<void> {
    this.tokens.succeed(taskToken, JSON.parse(JSON.stringify(output ?? {})));
  }

  async sendFailure(taskToken: string, error: string, cause: string): Promise<void> {
    this.tokens.fail(taskToken, named(error, cause));
  }

  async sendHeartbeat(taskToken: string): Promise<void> {
    // A dispatch still watching RunPod's queue at shutdown stops at its next heartbeat.
    if (this.closed) throw new Error("The local workflow is shut down.");
    this.tokens.heartbeat(taskToken);
  }

  async stop(executionId: string, cause: string): Promise<void> {
    const execution = this.executions.get(executionId);
    if (!execution || execution.status !== "RUNNING") return;
    execution.status = "ABORTED";
    execution.error = cause;
    execution.abort();
    this.tokens.failExecution(executionId, named("States.Aborted", cause));
    await execution.done;
  }

  /** Where an execution stands (tests and diagnostics). */
  describe(executionId: string): ExecutionRecord | undefined {
    const execution = this.executions.get(executionId);
    if (!execution) return undefined;
    const { abort: _abort, done: _done, ...record } = execution;
    return { ...record, events: [...record.events] };
  }

  /** Starts nothing new and waits for the handler calls under way (shutdown, before close). */
  async drain(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.invocations]);
  }

  /** Stops every running execution (shutdown); nothing runs afterwards. */
  async close(): Promise<void> {
    await this.drain();
    await Promise.all([...this.executions.values()].map((e) => this.stop(e.executionId, "The local stack is shutting down.")));
  }

  /** One local function per Task state, chosen by the FunctionName placeholder in its Parameters. */
  private taskHandlers(executionId: string, context: { Task: { Token: string } }) {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [stateName, state] of Object.entries(this.definition.States)) {
      if (state.Type !== "Task") continue;
      const task = state as unknown as TaskState;
      const handler = this.handlerFor(task.Parameters?.FunctionName ?? "");
      const waitsForToken = task.Resource.endsWith(".waitForTaskToken");
      handlers[stateName] = async (parameters: unknown) => {
        if (this.closed || this.executions.get(executionId)?.status !== "RUNNING") throw named("States.Aborted", "The execution was stopped.");
        const payload = (parameters as { Payload?: unknown }).Payload;
        const invoke = () => this.track(handler(payload));
        if (!waitsForToken) return { ExecutedVersion: "$LATEST", StatusCode: 200, Payload: (await invoke()) ?? null } as never;
        const token = context.Task.Token;
        context.Task.Token = newToken(executionId); // a retry of this task gets a fresh token, as in the cloud
        return this.waitForToken(executionId, token, task, invoke) as never;
      };
    }
    return handlers;
  }

  /** Registers the token first (a fast builder may answer before the handler returns), then invokes. */
  private async waitForToken(executionId: string, token: string, task: TaskState, invoke: () => Promise<unknown>) {
    const heartbeatSeconds = this.options.heartbeatSeconds ?? task.HeartbeatSeconds;
    const waiting = this.tokens.register(token, executionId, {
      timeoutMs: 1000 * (this.options.taskTimeoutSeconds ?? task.TimeoutSeconds ?? 60),
      heartbeatMs: heartbeatSeconds === undefined ? undefined : 1000 * heartbeatSeconds,
    });
    // The clocks may run out while the handler still runs: the rejection is handled by whoever awaits below.
    waiting.catch(() => {});
    try {
      // As in the cloud, the clocks run from the task's start, even while the handler still runs.
      await Promise.race([invoke(), waiting]);
    } catch (error) {
      this.tokens.discard(token);
      throw error;
    }
    return waiting;
  }

  /** A long-running `npm start` keeps the most recent finished executions only. */
  private forgetOldExecutions() {
    if (this.executions.size <= MAX_EXECUTIONS_KEPT) return;
    for (const [id, execution] of this.executions) {
      if (this.executions.size <= MAX_EXECUTIONS_KEPT) break;
      if (execution.status !== "RUNNING") this.executions.delete(id);
    }
  }

  private track<T>(invocation: Promise<T>): Promise<T> {
    this.invocations.add(invocation);
    const forget = () => this.invocations.delete(invocation);
    invocation.then(forget, forget);
    return invocation;
  }

  private handlerFor(functionName: string): LambdaHandler {
    if (this.options.deployed) return this.options.deployed.functionFor(functionName);
    const key = (Object.keys(DEFINITION_SUBSTITUTIONS) as (keyof typeof DEFINITION_SUBSTITUTIONS)[]).find(
      (name) => functionName === "${" + DEFINITION_SUBSTITUTIONS[name] + "}",
    );
    if (!key) throw new Error(`The pipeline definition names an unknown function ${functionName}.`);
    const provided = this.options.handlers?.[key];
    if (provided) return provided;
    return async (payload) => {
      const module = (await import(`@doctown/functions/${PIPELINE_HANDLERS[key]}`)) as { handler: LambdaHandler };
      return module.handler(payload);
    };
  }

  private retryOverrides(): Record<string, number> | undefined {
    const interval = this.options.retryIntervalMs;
    if (interval === undefined) return undefined;
    return Object.fromEntries(Object.keys(this.definition.States).map((name) => [name, interval]));
  }
}

function newToken(executionId: string): string {
  return Buffer.from(`${executionId}#${randomUUID()}`).toString("base64url");
}


async function settle(result: Promise<unknown>, record: ExecutionRecord): Promise<void> {
  try {
    await result;
    if (record.status === "RUNNING") record.status = "SUCCEEDED";
  } catch (error) {
    if (record.status !== "RUNNING") return;
    if (error instanceof ExecutionAbortedError) record.status = "ABORTED";
    else if (error instanceof ExecutionError) record.status = "FAILED";
    else record.status = "TIMED_OUT";
    record.error = (error as Error).message;
  }
}

async function collectEvents(events: AsyncGenerator<{ type: string; state?: { name: string } }>, record: ExecutionRecord) {
  for await (const event of events) {
    if (record.events.length < MAX_EVENTS) record.events.push(event.state ? `${event.type}:${event.state.name}` : event.type);
  }
}
