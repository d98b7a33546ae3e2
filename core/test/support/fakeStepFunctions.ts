/**
 * AWS Step Functions at its HTTP boundary (JSON 1.0 protocol, X-Amz-Target AWSStepFunctions.*):
 * StartExecution, SendTaskSuccess/Failure/Heartbeat and StopExecution, recorded for assertions.
 */
import { startFakeServer, type FakeServer } from "./fakeServer";

export type StepFunctionsCall = { action: string; input: Record<string, unknown> };
export type FakeStepFunctions = FakeServer & {
  calls: StepFunctionsCall[];
  /** The next StartExecution calls answer with this AWS error until cleared (undefined). */
  failStartWith: { status: number; type: string; message: string } | undefined;
  /** Task tokens that Step Functions no longer knows (answers TaskTimedOut). */
  expiredTokens: Set<string>;
  callsOf(action: string): Record<string, unknown>[];
};

export const FAKE_STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:doctown-test-pipeline";

export async function startFakeStepFunctions(): Promise<FakeStepFunctions> {
  const calls: StepFunctionsCall[] = [];
  const executions = new Map<string, string>();
  const expiredTokens = new Set<string>();
  // The handler reads the returned object, so tests can flip failStartWith at any time.
  let fake: FakeStepFunctions | undefined;
  const awsError = (status: number, type: string, message: string) => ({
    status,
    body: { __type: `com.amazonaws.swf.service.v2.model#${type}`, message },
    headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-errortype": type },
  });

  const server = await startFakeServer((req) => {
    const action = String(req.headers["x-amz-target"] ?? "").replace(/^AWSStepFunctions\./, "");
    const input = (req.json() ?? {}) as Record<string, unknown>;
    calls.push({ action, input });
    const ok = (body: unknown) => ({ status: 200, body, headers: { "content-type": "application/x-amz-json-1.0" } });
    switch (action) {
      case "StartExecution": {
        const failure = fake?.failStartWith;
        if (failure) return awsError(failure.status, failure.type, failure.message);
        const name = String(input.name);
        const arn = `${String(input.stateMachineArn).replace(":stateMachine:", ":execution:")}:${name}`;
        if (executions.has(name) && executions.get(name) !== input.input) return awsError(400, "ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
        executions.set(name, String(input.input));
        return ok({ executionArn: arn, startDate: Date.now() / 1000 });
      }
      case "SendTaskSuccess":
      case "SendTaskFailure":
      case "SendTaskHeartbeat":
        if (expiredTokens.has(String(input.taskToken))) return awsError(400, "TaskTimedOut", "Task Timed Out");
        return ok({});
      case "StopExecution":
        return ok({ stopDate: Date.now() / 1000 });
      default:
        return awsError(400, "UnknownOperationException", `Unknown operation ${action}`);
    }
  });
  fake = Object.assign(server, {
    calls,
    failStartWith: undefined,
    expiredTokens,
    callsOf: (action: string) => calls.filter((call) => call.action === action).map((call) => call.input),
  });
  return fake;
}
