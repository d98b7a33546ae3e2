/**
 * A Lambda function of the synthesized stage, run from its SST-built asset: each instance is a
 * child process (lambdaRuntime.mjs) with exactly the template's environment (intrinsics resolved)
 * plus what the Lambda service itself sets. Like Lambda, an instance handles one invocation at a
 * time; a concurrent invocation gets another instance (cold start); an invocation longer than the
 * template's Timeout kills its instance.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

const RUNTIME = fileURLToPath(new URL("./lambdaRuntime.mjs", import.meta.url));

export type FunctionSpec = {
  /** The template's logical id and stack, for messages. */
  logicalId: string;
  name: string;
  arn: string;
  codeDir: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The template's Environment.Variables, resolved. */
  environment: Record<string, string>;
};

/** What the Lambda service adds (and the runtime reads) besides the template's variables. */
export type RuntimeEnvironment = Record<string, string>;

export class LambdaError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly init: boolean,
  ) {
    super(message);
    this.name = errorType;
  }
}

type Instance = { child: ChildProcess; busy: boolean; ready: Promise<void> };
type Reply = { id: string; result?: unknown; error?: { errorType: string; errorMessage: string; init?: boolean }; initMs?: number };

export class SimulatedFunction {
  private readonly instances = new Set<Instance>();
  /** Cold starts (a new instance's first invocation) and how long the module load took, for the report. */
  readonly coldStarts: number[] = [];
  invocations = 0;
  /** The function's output and the errors it reported, newest last (what CloudWatch Logs would hold). */
  readonly logs: string[] = [];

  constructor(
    readonly spec: FunctionSpec,
    private readonly runtimeEnv: RuntimeEnvironment,
    log: (line: string) => void = () => {},
  ) {
    this.log = (line) => {
      if (this.logs.length < 1000) this.logs.push(line);
      log(line);
    };
  }
  private readonly log: (line: string) => void;

  /** The environment the function's process sees: the template's, then the service's own. */
  environment(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      ...this.spec.environment,
      ...this.runtimeEnv,
      AWS_LAMBDA_FUNCTION_NAME: this.spec.name,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.spec.memoryMb),
      AWS_EXECUTION_ENV: `AWS_Lambda_${this.spec.runtime}`,
      LAMBDA_TASK_ROOT: this.spec.codeDir,
      _HANDLER: this.spec.handler,
      SIM_FUNCTION_ARN: this.spec.arn,
      TZ: ":UTC",
    };
  }

  async invoke(event: unknown): Promise<unknown> {
    this.invocations++;
    const instance = [...this.instances].find((i) => !i.busy) ?? this.spawn();
    instance.busy = true;
    const id = randomUUID();
    const deadlineMs = Date.now() + this.spec.timeoutSeconds * 1000;
    try {
      await instance.ready;
      const reply = await new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.kill(instance);
          reject(new LambdaError("Sandbox.Timedout", `Task timed out after ${this.spec.timeoutSeconds}.00 seconds`, false));
        }, deadlineMs - Date.now());
        const onMessage = (message: Reply) => {
          if (message.id !== id) return;
          cleanup();
          resolve(message);
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new LambdaError("Runtime.ExitError", `RequestId: ${id} Error: Runtime exited with error: exit status ${code}`, false));
        };
        const cleanup = () => {
          clearTimeout(timer);
          instance.child.off("message", onMessage);
          instance.child.off("exit", onExit);
        };
        instance.child.on("message", onMessage);
        instance.child.once("exit", onExit);
        instance.child.send({ id, event, deadlineMs, requestId: id });
      });
      if (reply.initMs !== undefined) this.coldStarts.push(reply.initMs);
      else if (reply.error?.init) this.coldStarts.push(NaN);
      if (reply.error) {
        this.log(`${this.spec.logicalId}: ${reply.error.init ? "init error" : "error"} ${reply.error.errorType}: ${reply.error.errorMessage}`);
        throw new LambdaError(reply.error.errorType, reply.error.errorMessage, Boolean(reply.error.init));
      }
      return reply.result;
    } finally {
      instance.busy = false;
    }
  }

  private spawn(): Instance {
    const child = fork(RUNTIME, [], {
      cwd: this.spec.codeDir,
      env: this.environment(),
      // The function's own NODE_OPTIONS (from its environment) apply; none of the test runner's.
      execArgv: [],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    const prefix = `[${this.spec.logicalId}] `;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() && !line.includes("NodeVersion")) this.log(prefix + line);
    };
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
    const instance: Instance = {
      child,
      busy: false,
      ready: new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) => reject(new LambdaError("Runtime.ExitError", `the runtime exited with ${code} before starting`, true)));
      }),
    };
    instance.ready.catch(() => {});
    child.once("exit", () => this.instances.delete(instance));
    this.instances.add(instance);
    return instance;
  }

  private kill(instance: Instance) {
    this.instances.delete(instance);
    instance.child.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.instances].map(
        (instance) =>
          new Promise<void>((resolve) => {
            if (instance.child.exitCode !== null) return resolve();
            instance.child.once("exit", () => resolve());
            instance.child.kill("SIGTERM");
          }),
      ),
    );
    this.instances.clear();
  }
}
