/**
 * RunPod at its HTTP boundary: the builder's own RunPod-compatible server (builder/src/runpod/)
 * as a separate process, like a worker on RunPod: it clones from GitHub (here through the GitHub
 * stand-in's proxy), uploads to the presigned URL and calls back to the site over HTTPS (trusting
 * the simulation's CA). No OpenAI key: placeholder docs.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SERVE_MAIN = fileURLToPath(new URL("../../../builder/src/runpod/serveMain.ts", import.meta.url));

export type RunpodStandIn = { url: string; apiKey: string; endpointId: string; close(): Promise<void> };

export async function startRunpod(options: {
  apiKey: string;
  endpointId: string;
  httpsProxy: string;
  caFile: string;
  log?: (line: string) => void;
}): Promise<RunpodStandIn> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVE_MAIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      RUNPOD_API_KEY: options.apiKey,
      RUNPOD_ENDPOINT_ID: options.endpointId,
      PORT: "0",
      HOST: "127.0.0.1",
      OPENAI_API_KEY: "",
      // git goes to github.com through the stand-in's proxy and trusts its certificate; Node's
      // fetch (callbacks to the site, the presigned upload) does not use the proxy.
      HTTPS_PROXY: options.httpsProxy,
      NO_PROXY: "127.0.0.1,localhost",
      GIT_SSL_CAINFO: options.caFile,
      NODE_EXTRA_CA_CERTS: options.caFile,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      seen += text;
      for (const line of text.split("\n")) if (line.trim()) options.log?.(`[runpod] ${line}`);
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    };
    child.stderr.on("data", onData);
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`The RunPod-compatible server exited with ${code}: ${seen.trim()}`)));
  });
  return {
    url,
    apiKey: options.apiKey,
    endpointId: options.endpointId,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
