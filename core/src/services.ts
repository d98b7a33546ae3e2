/**
 * The service registry: the real clients, built lazily from config on first use. The local stack
 * plugs in its own pieces (e.g. an aws-local-stepfunctions Workflow) with `provideServices`;
 * `resetServices` forgets everything (tests change the environment between suites).
 *
 * Only what (nearly) every handler needs is built here. The S3 client, the Step Functions
 * workflow and the RunPod client are built by accessor functions in the modules that use them
 * (storage.ts `s3Client`, stepFunctions.ts `workflow`, runpodService.ts `runpod`) through
 * `service()`: a handler's bundle then carries an SDK client, and reads the secrets it needs, only
 * if its code can call it (issue 13: every bundle carried every client, ~3.5 MB, and the stacks
 * check each function's secret bindings against the secret names in its bundle).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { githubApiUrl, optionalSetting, setting } from "./config";
import { createGitHubClient, type GitHubClient } from "./github";
import type { RunpodClient } from "./runpod";
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

const builders: Partial<Builders> = {
  db: () => {
    const endpoint = optionalSetting("DOCTOWN_DYNAMODB_ENDPOINT");
    const client = new DynamoDBClient({ endpoint, region: optionalSetting("AWS_REGION") ?? "us-east-1", maxAttempts: 3 });
    return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  },
  tableName: () => setting("DOCTOWN_TABLE"),
  github: () => createGitHubClient({ apiUrl: githubApiUrl() }),
  clock: () => ({ now: () => new Date() }),
};

const SERVICE_NAMES = new Set<string>(["db", "tableName", "s3", "bucket", "workflow", "runpod", "github", "clock"] satisfies (keyof Services)[]);

/** A service: the provided one, else the one built before, else built now with `build`. */
export function service<K extends keyof Services>(name: K, build: () => Services[K]): Services[K] {
  if (name in provided) return provided[name] as Services[K];
  if (!(name in built)) (built as Record<string, unknown>)[name] = build();
  return built[name] as Services[K];
}

let provided: Partial<Services> = {};
let built: Partial<Services> = {};

const registry = new Proxy({} as Services, {
  get(_target, key) {
    if (typeof key !== "string" || !SERVICE_NAMES.has(key)) return undefined;
    const name = key as keyof Services;
    if (name in provided) return provided[name];
    if (!(name in built)) {
      const build = builders[name];
      if (!build) throw new Error(`The ${name} service is built by its accessor (storage.ts s3Client/docpackBucket, stepFunctions.ts workflow, runpodService.ts runpod); it was not built yet.`);
      (built as Record<string, unknown>)[name] = build();
    }
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
