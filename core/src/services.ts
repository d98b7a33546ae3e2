/**
 * The service registry: the real clients, built lazily from config on first use. The local stack
 * plugs in its own pieces (e.g. an aws-local-stepfunctions Workflow) with `provideServices`;
 * `resetServices` forgets everything (tests change the environment between suites).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { githubApiUrl, optionalSetting, runpodApiUrl, s3Endpoint, secret, setting } from "./config";
import { createGitHubClient, type GitHubClient } from "./github";
import { createRunpodClient, type RunpodClient } from "./runpod";
import { StepFunctionsWorkflow } from "./stepFunctions";
import type { Workflow } from "./workflow";

export type Clock = { now(): Date };

export type Services = {
  db: DynamoDBDocumentClient;
  tableName: string;
  s3: S3Client;
  bucket: string;
  workflow: Workflow;
  runpod: RunpodClient;
  github: GitHubClient;
  clock: Clock;
};

type Builders = { [K in keyof Services]: () => Services[K] };

const builders: Builders = {
  db: () => {
    const endpoint = optionalSetting("DOCTOWN_DYNAMODB_ENDPOINT");
    const client = new DynamoDBClient({ endpoint, region: optionalSetting("AWS_REGION") ?? "us-east-1", maxAttempts: 3 });
    return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  },
  tableName: () => setting("DOCTOWN_TABLE"),
  s3: () =>
    new S3Client({
      region: "auto",
      endpoint: s3Endpoint(),
      // Path-style works for R2 and for s3rver alike; virtual hosts would need DNS for the bucket.
      forcePathStyle: true,
      credentials: { accessKeyId: secret("R2_ACCESS_KEY_ID"), secretAccessKey: secret("R2_SECRET_ACCESS_KEY") },
      // R2 and other S3-compatible stores mishandle the SDK's default CRC32 / aws-chunked uploads.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  bucket: () => secret("R2_BUCKET"),
  workflow: () =>
    new StepFunctionsWorkflow(
      new SFNClient({ endpoint: optionalSetting("DOCTOWN_SFN_ENDPOINT"), region: optionalSetting("AWS_REGION") ?? "us-east-1" }),
      setting("DOCTOWN_STATE_MACHINE_ARN"),
    ),
  runpod: () =>
    createRunpodClient({ apiUrl: runpodApiUrl(), apiKey: secret("RUNPOD_API_KEY"), endpointId: secret("RUNPOD_ENDPOINT_ID") }),
  github: () => createGitHubClient({ apiUrl: githubApiUrl() }),
  clock: () => ({ now: () => new Date() }),
};

let provided: Partial<Services> = {};
let built: Partial<Services> = {};

const registry = new Proxy({} as Services, {
  get(_target, key) {
    if (typeof key !== "string" || !(key in builders)) return undefined;
    const name = key as keyof Services;
    if (name in provided) return provided[name];
    if (!(name in built)) (built as Record<string, unknown>)[name] = builders[name]();
    return built[name];
  },
});

/** The registry. Each service is built on first access, so a handler needs only the settings it uses. */
export function services(): Services {
  return registry;
}

/** Replaces some services (local stack, or a test's clock); the rest stay lazily built. */
export function provideServices(partial: Partial<Services>): void {
  provided = { ...provided, ...partial };
}

/** Forgets provided and built services; the next access rebuilds from the current environment. */
export function resetServices(): void {
  for (const service of Object.values(built)) {
    const destroy = (service as { destroy?: () => void } | undefined)?.destroy;
    if (typeof destroy === "function") destroy.call(service);
  }
  provided = {};
  built = {};
}
