/**
 * The one place that reads the environment.
 *
 * Secrets (SST v2 `Config.Secret` in the cloud, fetched from SSM on first use by loadSecrets; plain
 * environment variables of the same name on the local stack and in tests):
 *   GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET   GitHub OAuth app
 *   GITHUB_WEBHOOK_SECRET                    X-Hub-Signature-256 key
 *   R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET   docpack storage
 *   RUNPOD_API_KEY, RUNPOD_ENDPOINT_ID       builder host
 *   TOKEN_ENCRYPTION_KEY                     32 bytes, base64 or hex: encrypts GitHub tokens at rest
 * Plain settings:
 *   DOCTOWN_STAGE               "local" on the local stack (enables local repos and dev sign-in)
 *   DOCTOWN_TABLE               DynamoDB table name
 *   DOCTOWN_STATE_MACHINE_ARN   the pipeline state machine
 *   DOCTOWN_SITE_URL            the site origin when it is a custom domain; otherwise the Web stack's
 *                               SITE_URL parameter (deployed) or the Host header (local stack only)
 *   DOCTOWN_ORIGIN_VERIFY       deployed: the value CloudFront adds as x-doctown-origin-verify
 * Endpoint overrides (local stack and tests):
 *   DOCTOWN_DYNAMODB_ENDPOINT, DOCTOWN_S3_ENDPOINT (replaces https://<account>.r2.cloudflarestorage.com),
 *   DOCTOWN_SFN_ENDPOINT, RUNPOD_API_URL (default https://api.runpod.ai/v2),
 *   GITHUB_API_URL (default https://api.github.com)
 *   AWS_REGION (DynamoDB / Step Functions region; Lambda sets it)
 */
import { ConfigError } from "./errors";

export const SECRET_NAMES = [
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
  "GITHUB_WEBHOOK_SECRET",
  "R2_ACCOUNT_ID",
  "R2_ACCESS_KEY_ID",
  "R2_SECRET_ACCESS_KEY",
  "R2_BUCKET",
  "RUNPOD_API_KEY",
  "RUNPOD_ENDPOINT_ID",
  "TOKEN_ENCRYPTION_KEY",
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const SETTING_NAMES = [
  "DOCTOWN_STAGE",
  "DOCTOWN_TABLE",
  "DOCTOWN_STATE_MACHINE_ARN",
  "DOCTOWN_SITE_URL",
  "DOCTOWN_ORIGIN_VERIFY",
  "DOCTOWN_DYNAMODB_ENDPOINT",
  "DOCTOWN_S3_ENDPOINT",
  "DOCTOWN_SFN_ENDPOINT",
  "RUNPOD_API_URL",
  "GITHUB_API_URL",
  "AWS_REGION",
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

// In Lambda, SST binds a secret as SST_Secret_value_<NAME>="__FETCH_FROM_SSM__". SST's stock
// loader (sst/node/config) fetches every bound value at module load through the whole SSM client
// (~220 ms of cold start) and throws for a bound secret without a value, which made optional
// secrets required. Here the values are fetched on the first invocation instead (loadSecrets, from
// the HTTP edge and each task handler), through a small signed request (./ssmParameters), and a
// missing value is just missing: `secret()` then fails naming it, `optionalSecret()` is undefined.
const FROM_SSM = "__FETCH_FROM_SSM__";
type BoundKind = "Secret" | "Parameter";
let fetched: Map<string, string> | undefined;
let fetching: Promise<void> | undefined;

function boundFromSsm(kind: BoundKind): string[] {
  const prefix = `SST_${kind}_value_`;
  return Object.keys(process.env)
    .filter((name) => name.startsWith(prefix) && process.env[name] === FROM_SSM)
    .map((name) => name.slice(prefix.length));
}

function inLambda(): boolean {
  return process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined && process.env.SST_APP !== undefined;
}

/**
 * Fetches this function's bound secrets and parameters from SSM, once (concurrent callers share
 * the fetch; a failed fetch is retried by the next call). A no-op outside Lambda.
 */
export function loadSecrets(): Promise<void> {
  if (fetched || !inLambda()) return Promise.resolve();
  const wanted = [...boundFromSsm("Secret").map((name) => ({ kind: "Secret" as const, name })), ...boundFromSsm("Parameter").map((name) => ({ kind: "Parameter" as const, name }))];
  if (wanted.length === 0) {
    fetched = new Map();
    return Promise.resolve();
  }
  fetching ??= (async () => {
    const { readSstValues } = await import("./ssmParameters");
    fetched = await readSstValues(wanted);
  })().finally(() => {
    fetching = undefined;
  });
  return fetching;
}

/** Forgets fetched values (tests change the environment between cases). */
export function forgetLoadedSecrets(): void {
  fetched = undefined;
  fetching = undefined;
}

function boundValue(kind: BoundKind, name: string): string | undefined {
  const raw = process.env[`SST_${kind}_value_${name}`];
  if (raw === undefined) return undefined;
  if (raw !== FROM_SSM) return raw; // `sst bind` and tests pass values inline
  if (!fetched) throw new ConfigError(`${kind} ${name} was read before loadSecrets() finished; the handler must await it first.`);
  return fetched.get(`${kind}/${name}`);
}

/** A value another stack stores for this function in SST's SSM layout (e.g. SITE_URL), if bound. */
export function boundParameter(name: string): string | undefined {
  return nonEmpty(boundValue("Parameter", name));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** A secret, or undefined when it is not set. */
export function optionalSecret(name: SecretName): string | undefined {
  return nonEmpty(boundValue("Secret", name)) ?? nonEmpty(process.env[name]);
}

/** A secret that must be set; throws a ConfigError naming it otherwise. */
export function secret(name: SecretName): string {
  const value = optionalSecret(name);
  if (value === undefined) {
    const stageName = process.env.SST_STAGE ?? "<stage>";
    const bound = process.env[`SST_Secret_value_${name}`] !== undefined;
    throw new ConfigError(
      inLambda() && !bound
        ? `Secret ${name} is not bound to this function (stacks/ declares which handler reads which secret).`
        : `Missing secret ${name}: set it with \`npx sst secrets set ${name} <value> --stage ${stageName}\` (or as an environment variable locally).`,
    );
  }
  return value;
}

export function optionalSetting(name: SettingName): string | undefined {
  return nonEmpty(process.env[name]);
}

/** A plain setting that must be set; throws a ConfigError naming it otherwise. */
export function setting(name: SettingName): string {
  const value = optionalSetting(name);
  if (value === undefined) throw new ConfigError(`Missing environment variable ${name}.`);
  return value;
}

/** "local" on the local stack; the SST stage name (or "dev") elsewhere. */
export function stage(): string {
  return optionalSetting("DOCTOWN_STAGE") ?? process.env.SST_STAGE ?? "dev";
}

/** True only on the embedded local stack: never inside Lambda, whatever the stage is called. */
export function isLocalStage(): boolean {
  return stage() === "local" && process.env.AWS_LAMBDA_FUNCTION_NAME === undefined;
}

export function githubApiUrl(): string {
  return (optionalSetting("GITHUB_API_URL") ?? "https://api.github.com").replace(/\/+$/, "");
}

export function runpodApiUrl(): string {
  return (optionalSetting("RUNPOD_API_URL") ?? "https://api.runpod.ai/v2").replace(/\/+$/, "");
}

/**
 * The site origin a deployed stage is configured with: DOCTOWN_SITE_URL (a custom domain, set at
 * deploy time), else the SITE_URL parameter the Web stack writes (the distribution's URL; read from
 * SSM by loadSecrets, since the API stack cannot depend on the Web stack). Undefined when neither.
 */
export function deployedSiteOrigin(): string | undefined {
  return configuredSiteOrigin() ?? originOf("SITE_URL parameter", boundParameter("SITE_URL"));
}

/** The explicit site origin (DOCTOWN_SITE_URL), validated; undefined when not set. */
export function configuredSiteOrigin(): string | undefined {
  return originOf("DOCTOWN_SITE_URL", optionalSetting("DOCTOWN_SITE_URL"));
}

function originOf(what: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
    return url.origin;
  } catch {
    throw new ConfigError(`${what} must be an http(s) URL, got ${JSON.stringify(raw)}.`);
  }
}

/** The S3-compatible endpoint for docpacks: the override, or Cloudflare R2 for R2_ACCOUNT_ID. */
export function s3Endpoint(): string {
  return optionalSetting("DOCTOWN_S3_ENDPOINT") ?? `https://${secret("R2_ACCOUNT_ID")}.r2.cloudflarestorage.com`;
}
