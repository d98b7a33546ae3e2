import { afterEach, describe, expect, it } from "vitest";
import { githubApiUrl, githubUrl } from "../src/config";
import { ConfigError } from "../src/errors";

const names = ["GITHUB_URL", "GITHUB_API_URL", "DOCTOWN_STAGE", "AWS_LAMBDA_FUNCTION_NAME"] as const;
const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("GITHUB_URL and GITHUB_API_URL", () => {
  it("default to github.com and its API", () => {
    delete process.env.GITHUB_URL;
    delete process.env.GITHUB_API_URL;
    expect(githubUrl()).toBe("https://github.com");
    expect(githubApiUrl()).toBe("https://api.github.com");
  });

  it("take a GitHub Enterprise Server (https, path kept, trailing slashes dropped)", () => {
    process.env.DOCTOWN_STAGE = "prod";
    process.env.GITHUB_URL = "https://ghe.example.com/";
    process.env.GITHUB_API_URL = "https://ghe.example.com/api/v3//";
    expect(githubUrl()).toBe("https://ghe.example.com");
    expect(githubApiUrl()).toBe("https://ghe.example.com/api/v3");
  });

  it("allow plain http only to a loopback stand-in, and only on the local stage", () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.GITHUB_URL = "http://127.0.0.1:4567";
    process.env.DOCTOWN_STAGE = "local";
    expect(githubUrl()).toBe("http://127.0.0.1:4567");
    process.env.DOCTOWN_STAGE = "pr-12";
    expect(() => githubUrl()).toThrow(ConfigError);
    process.env.DOCTOWN_STAGE = "local";
    process.env.AWS_LAMBDA_FUNCTION_NAME = "doctown-local-fn"; // a Lambda is never the local stage
    expect(() => githubUrl()).toThrow(/GITHUB_URL must be https/);
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.GITHUB_API_URL = "http://evil.example.com";
    expect(() => githubApiUrl()).toThrow(/GITHUB_API_URL must be https/);
  });

  it("refuse credentials, queries and other schemes", () => {
    process.env.DOCTOWN_STAGE = "prod";
    for (const bad of ["https://user:pw@github.com", "https://github.com?x=1", "ftp://github.com", "not a url", "file:///etc"]) {
      process.env.GITHUB_URL = bad;
      expect(() => githubUrl(), bad).toThrow(ConfigError);
    }
  });
});
