/** Stage and sign-in mode: one decision from trimmed values; ambiguous settings are refused. */
import { describe, expect, it } from "vitest";
import { deploymentMode } from "../src/config";
import { ConfigError } from "../src/errors";

const GITHUB = { GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cret" };

describe("deploymentMode", () => {
  it("the local stage without a GitHub client is the dev sign-in; with one, GitHub", () => {
    expect(deploymentMode({ DOCTOWN_STAGE: "local" })).toEqual({ stage: "local", local: true, signIn: "dev" });
    expect(deploymentMode({ DOCTOWN_STAGE: " local ", ...GITHUB })).toEqual({ stage: "local", local: true, signIn: "github" });
  });

  it("GITHUB_CLIENT_ID of blanks is refused, never taken for 'unset' (it switched the dev sign-in on under a GitHub banner)", () => {
    for (const blank of [" ", "\t", "  \n"]) {
      expect(() => deploymentMode({ DOCTOWN_STAGE: "local", GITHUB_CLIENT_ID: blank, GITHUB_CLIENT_SECRET: "x" })).toThrow(ConfigError);
      expect(() => deploymentMode({ DOCTOWN_STAGE: "local", GITHUB_CLIENT_ID: blank })).toThrow(/GITHUB_CLIENT_ID is set to blanks/);
    }
    expect(() => deploymentMode({ DOCTOWN_STAGE: "   " })).toThrow(/DOCTOWN_STAGE is set to blanks/);
  });

  it("SST_STAGE=local outside Lambda is not the local stage (no dev sign-in)", () => {
    expect(deploymentMode({ SST_STAGE: "local" })).toEqual({ stage: "local", local: false, signIn: "none" });
    expect(deploymentMode({ SST_STAGE: "local", ...GITHUB })).toMatchObject({ local: false, signIn: "github" });
  });

  it("refuses DOCTOWN_STAGE=local beside another SST stage, or with half a GitHub client; in Lambda it is never local", () => {
    expect(deploymentMode({ DOCTOWN_STAGE: "local", SST_STAGE: "local", AWS_LAMBDA_FUNCTION_NAME: "f" })).toEqual({ stage: "local", local: false, signIn: "none" });
    expect(() => deploymentMode({ DOCTOWN_STAGE: "local", SST_STAGE: "prod" })).toThrow(/SST_STAGE=prod/);
    expect(() => deploymentMode({ DOCTOWN_STAGE: "local", GITHUB_CLIENT_ID: "x" })).toThrow(/both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
  });

  it("a deployed stage never has the dev sign-in", () => {
    expect(deploymentMode({ SST_STAGE: "prod", AWS_LAMBDA_FUNCTION_NAME: "f" })).toEqual({ stage: "prod", local: false, signIn: "none" });
    expect(deploymentMode({ DOCTOWN_STAGE: "pr-12", ...GITHUB })).toEqual({ stage: "pr-12", local: false, signIn: "github" });
    expect(deploymentMode({})).toEqual({ stage: "dev", local: false, signIn: "none" });
  });
});
