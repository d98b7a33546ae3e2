// A small stand-in for the Lambda Node.js runtime, run as `node lambdaRuntime.mjs` in the function's
// unpacked code directory with the function's environment: it imports the module the `_HANDLER`
// setting names (like the runtime: .js, .mjs or .cjs under LAMBDA_TASK_ROOT) on the first
// invocation, then answers invocations sent over IPC, one at a time, with the result or the error
// the runtime would report ({ errorType, errorMessage }). Plain JavaScript on purpose: nothing of
// the project is loaded besides the function's own bundle.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.env.LAMBDA_TASK_ROOT;
const [modulePath, exportName] = splitHandler(process.env._HANDLER ?? "");
let handlerPromise;

function splitHandler(spec) {
  const dot = spec.lastIndexOf(".");
  return dot < 0 ? [spec, "handler"] : [spec.slice(0, dot), spec.slice(dot + 1)];
}

async function loadHandler() {
  const file = [".js", ".mjs", ".cjs"].map((ext) => join(root, modulePath + ext)).find((path) => existsSync(path));
  if (!file) throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { name: "Runtime.ImportModuleError" });
  const module = await import(pathToFileURL(file).href);
  const handler = module[exportName];
  if (typeof handler !== "function") throw Object.assign(new Error(`${modulePath}.${exportName} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  return handler;
}

function errorOf(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorType: e.name || "Error", errorMessage: e.message, trace: String(e.stack ?? "").split("\n") };
}

process.on("message", async (message) => {
  const { id, event, deadlineMs, requestId } = message;
  const started = Date.now();
  const cold = !handlerPromise;
  let handler;
  try {
    handlerPromise ??= loadHandler();
    handler = await handlerPromise;
  } catch (error) {
    // A failed init is retried by the next invocation on a fresh module load, like a new sandbox.
    handlerPromise = undefined;
    process.send({ id, error: { ...errorOf(error), init: true } });
    return;
  }
  const initMs = cold ? Date.now() - started : undefined;
  try {
    const context = {
      awsRequestId: requestId,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: "$LATEST",
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      invokedFunctionArn: process.env.SIM_FUNCTION_ARN,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
    };
    const result = await handler(event, context);
    process.send({ id, result: result === undefined ? null : result, initMs });
  } catch (error) {
    process.send({ id, error: errorOf(error), initMs });
  }
});
process.send({ ready: true });
