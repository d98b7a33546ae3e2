/**
 * Secrets on a deployed stage: bound as SST_Secret_value_<NAME>="__FETCH_FROM_SSM__" and fetched
 * on first use from SSM (here a GetParameters stand-in on 127.0.0.1 that holds only what the test
 * set). A missing optional secret is just undefined; a missing required one fails naming it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { boundParameter, forgetLoadedSecrets, loadSecrets, optionalSecret, secret } from "../src/config";

const stored = new Map<string, string>([
  ["/sst/doctown/pr-42/Secret/R2_BUCKET/value", "docpacks"],
  ["/sst/doctown/.fallback/Secret/RUNPOD_API_KEY/value", "rp-fallback"],
  ["/sst/doctown/pr-42/Parameter/SITE_URL/value", "https://d111.cloudfront.example"],
]);
const requests: { target: string; authorization: string; names: string[] }[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const names: string[] = JSON.parse(body).Names;
      requests.push({ target: String(req.headers["x-amz-target"]), authorization: String(req.headers.authorization), names });
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({
        Parameters: names.filter((n) => stored.has(n)).map((Name) => ({ Name, Type: "SecureString", Value: stored.get(Name) })),
        InvalidParameters: names.filter((n) => !stored.has(n)),
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => server.close());

const ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "fn",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SESSION_TOKEN: "session",
  SST_APP: "doctown",
  SST_STAGE: "pr-42",
  SST_SSM_PREFIX: "/sst/doctown/pr-42/",
  SST_Secret_value_R2_BUCKET: "__FETCH_FROM_SSM__",
  SST_Secret_value_RUNPOD_API_KEY: "__FETCH_FROM_SSM__",
  SST_Secret_value_GITHUB_CLIENT_ID: "__FETCH_FROM_SSM__",
  SST_Parameter_value_SITE_URL: "__FETCH_FROM_SSM__",
};
beforeEach(() => {
  for (const [name, value] of Object.entries({ ...ENV, AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, GITHUB_CLIENT_ID: "" })) vi.stubEnv(name, value);
  requests.length = 0;
  forgetLoadedSecrets();
});
afterEach(() => {
  vi.unstubAllEnvs();
  forgetLoadedSecrets();
});

describe("secrets bound to a Lambda function", () => {
  it("are fetched once, on first use, with a signed GetParameters (stage first, then the app's fallback)", async () => {
    await Promise.all([loadSecrets(), loadSecrets()]);
    await loadSecrets();
    expect(requests.map((r) => r.target)).toEqual(["AmazonSSM.GetParameters", "AmazonSSM.GetParameters"]);
    expect(requests[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ssm\/aws4_request/);
    expect(requests[0]!.names.sort()).toEqual([
      "/sst/doctown/pr-42/Parameter/SITE_URL/value",
      "/sst/doctown/pr-42/Secret/GITHUB_CLIENT_ID/value",
      "/sst/doctown/pr-42/Secret/R2_BUCKET/value",
      "/sst/doctown/pr-42/Secret/RUNPOD_API_KEY/value",
    ]);
    expect(requests[1]!.names.sort()).toEqual(["/sst/doctown/.fallback/Secret/GITHUB_CLIENT_ID/value", "/sst/doctown/.fallback/Secret/RUNPOD_API_KEY/value"]);
    expect(secret("R2_BUCKET")).toBe("docpacks");
    expect(secret("RUNPOD_API_KEY")).toBe("rp-fallback");
    expect(boundParameter("SITE_URL")).toBe("https://d111.cloudfront.example");
  });

  it("leave a secret without a value optional, and fail naming it where it is required", async () => {
    await loadSecrets();
    expect(optionalSecret("GITHUB_CLIENT_ID")).toBeUndefined();
    expect(() => secret("GITHUB_CLIENT_ID")).toThrow(/Missing secret GITHUB_CLIENT_ID: set it with `npx sst secrets set GITHUB_CLIENT_ID <value> --stage pr-42`/);
  });

  it("name a secret the function reads but is not bound to", async () => {
    await loadSecrets();
    expect(() => secret("TOKEN_ENCRYPTION_KEY")).toThrow(/TOKEN_ENCRYPTION_KEY is not bound to this function/);
  });

  it("refuse to be read before they were loaded", () => {
    expect(() => secret("R2_BUCKET")).toThrow(/before loadSecrets/);
  });
});
