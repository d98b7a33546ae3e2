import { App } from "sst/constructs";
import { initProject } from "sst/project.js";
import config from "../sst.config";

/** Fixed, fake account details: synthesis must never need AWS credentials or the network. */
export const OFFLINE_ENV = { name: "doctown", region: "us-east-1", account: "123456789012" } as const;

/**
 * Synthesizes the whole app for a stage exactly as `sst deploy` would, but offline: the project is
 * initialised with an explicit stage (otherwise SST prompts), the app gets explicit account/region
 * (otherwise SST asks STS), and `finish()` bundles every handler.
 */
export async function synthesizeApp(stage: string, outdir?: string) {
  await initProject({ stage, region: OFFLINE_ENV.region });
  const app = new App({ mode: "deploy", stage, ...OFFLINE_ENV }, outdir ? { outdir } : undefined);
  await config.stacks(app);
  await app.finish();
  return app;
}
