import { afterEach, describe, expect, it } from "vitest";
import { configuredSiteOrigin, isLocalStage, s3Endpoint, secret, setting } from "../src/config";
import { ConfigError } from "../src/errors";
import { provideServices, resetServices, services } from "../src/services";

const names = [
  "R2_ACCOUNT_ID", "DOCTOWN_S3_ENDPOINT", "DOCTOWN_TABLE", "DOCTOWN_SITE_URL", "RUNPOD_API_KEY", "DOCTOWN_STAGE",
  "AWS_LAMBDA_FUNCTION_NAME",
] as const;
const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetServices();
});

describe("config", () => {
  it("fails fast, naming the missing setting", () => {
    delete process.env.RUNPOD_API_KEY;
    delete process.env.DOCTOWN_TABLE;
    expect(() => secret("RUNPOD_API_KEY")).toThrow(ConfigError);
    expect(() => secret("RUNPOD_API_KEY")).toThrow(/RUNPOD_API_KEY/);
    process.env.DOCTOWN_TABLE = "  ";
    expect(() => setting("DOCTOWN_TABLE")).toThrow(/DOCTOWN_TABLE/);
  });

  it("points storage at R2 for the account unless an endpoint override is set", () => {
    delete process.env.DOCTOWN_S3_ENDPOINT;
    process.env.R2_ACCOUNT_ID = "acc123";
    expect(s3Endpoint()).toBe("https://acc123.r2.cloudflarestorage.com");
    process.env.DOCTOWN_S3_ENDPOINT = "http://127.0.0.1:9000";
    expect(s3Endpoint()).toBe("http://127.0.0.1:9000");
  });

  it("validates DOCTOWN_SITE_URL", () => {
    process.env.DOCTOWN_SITE_URL = "https://docs.example.org/x";
    expect(configuredSiteOrigin()).toBe("https://docs.example.org");
    process.env.DOCTOWN_SITE_URL = "javascript:alert(1)";
    expect(() => configuredSiteOrigin()).toThrow(/DOCTOWN_SITE_URL/);
  });
});

describe("services registry", () => {
  it("builds each service on first use from the current environment, and takes provided ones", () => {
    delete process.env.DOCTOWN_TABLE;
    expect(() => services().tableName).toThrow(/DOCTOWN_TABLE/);
    process.env.DOCTOWN_TABLE = "t1";
    expect(services().tableName).toBe("t1");
    process.env.DOCTOWN_TABLE = "t2";
    expect(services().tableName).toBe("t1");
    resetServices();
    expect(services().tableName).toBe("t2");
    const clock = { now: () => new Date(0) };
    provideServices({ clock, tableName: "provided" });
    expect(services().clock).toBe(clock);
    expect(services().tableName).toBe("provided");
  });

  it("never treats a Lambda as the local stage, even on a stage called local", () => {
    process.env.DOCTOWN_STAGE = "local";
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    expect(isLocalStage()).toBe(true);
    process.env.AWS_LAMBDA_FUNCTION_NAME = "local-doctown-Api-devSignIn";
    expect(isLocalStage()).toBe(false);
  });
});
