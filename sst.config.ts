import type { SSTConfig } from "sst";
import { Secrets } from "./stacks/Secrets";
import { Data } from "./stacks/Data";
import { Pipeline } from "./stacks/Pipeline";
import { Api } from "./stacks/Api";
import { Web } from "./stacks/Web";
import { githubSettings } from "./stacks/github";

export default {
  config() {
    return { name: "doctown", region: process.env.AWS_REGION ?? "us-east-1" };
  },
  stacks(app) {
    // "local" means the embedded stack (dev sign-in, local repositories): never a deployed stage.
    if (app.stage === "local") throw new Error('The stage name "local" is reserved for `npm start`; pick another.');
    app.setDefaultFunctionProps({
      runtime: "nodejs22.x",
      architecture: "arm_64",
      memorySize: 512,
      timeout: 20,
      environment: { DOCTOWN_STAGE: app.stage, ...githubSettings() },
      // Cold start: minified, no source map in the function code and none loaded at start
      // (--enable-source-maps doubled module load time). bench/lambda prints the figures.
      nodejs: { format: "esm", minify: true, sourcemap: false },
    });
    // Non-prod stages (developers, pull requests) leave nothing behind when removed.
    if (app.stage !== "prod") app.setDefaultRemovalPolicy("destroy");
    app.stack(Secrets).stack(Data).stack(Pipeline).stack(Api).stack(Web);
  },
} satisfies SSTConfig;
