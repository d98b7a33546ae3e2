/**
 * The one place that reads the environment.
 *
 * Secrets (SST v2 `Config.Secret` in the cloud, resolved from SSM by `sst/node/config`; plain
 * environment variables of the same name on the local stack and in tests):
 *   GITHUB_APP_ID, GITHUB_APP_SLUG           the stage's GitHub App (numeric id; URL name for install links)
 *   GITHUB_APP_PRIVATE_KEY                   its PEM private key: signs the app JWT that mints installation tokens
 *   GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET   its client credentials: user sign-in (user authorization)
 *   GITHUB_WEBHOOK_SECRET                    its webhook secret: X-Hub-Signature-256 key
 *   R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET   docpack storage
 *   RUNPOD_API_KEY, RUNPOD_ENDPOINT_ID       builder host
 *   OPENAI_API_KEY                           docs generation (optional)
 *   TOKEN_ENCRYPTION_KEY                     32 bytes, base64 or hex: encrypts GitHub tokens at rest
 * Plain settings:
 *   DOCTOWN_STAGE               "local" on the local stack (enables local repos and dev sign-in)
 *   DOCTOWN_TABLE               DynamoDB table name
 *   DOCTOWN_STATE_MACHINE_ARN   the pipeline state machine
 *   DOCTOWN_SITE_URL            optional explicit site origin; otherwise derived per request from
 *                               x-forwarded-host (set by CloudFront) or host
 * Endpoint overrides (local stack and tests):
 *   DOCTOWN_DYNAMODB_ENDPOINT, DOCTOWN_S3_ENDPOINT (replaces https://<account>.r2.cloudflarestorage.com),
 *   DOCTOWN_SFN_ENDPOINT, RUNPOD_API_URL (default https://api.runpod.ai/v2),
 *   GITHUB_URL (default https://github.com) and GITHUB_API_URL (default https://api.github.com):
 *   GitHub Enterprise Server, or a stand-in; https only, except http://127.0.0.1|localhost on the local stage
 *   GITHUB_CALLBACK_URL (optional): the shared preview app's fixed sign-in callback (another stage's
 *   /auth/github/forward), which forwards to this stage by signed state; unset: this stage's own callback
 *   AWS_REGION (DynamoDB / Step Functions region; Lambda sets it)
 *   DOCTOWN_RUNPOD_QUEUE_WAIT_SECONDS, DOCTOWN_RUNPOD_POLL_SECONDS (Dispatch's watch of RunPod's
 *   queue; defaults QUEUE_WAIT_SECONDS of core/src/pipeline/definition.ts and 10 s; tests shorten them)
 */
import { ConfigError } from "./errors";

export const SECRET_NAMES = [
  "GITHUB_APP_ID",
  "GITHUB_APP_SLUG",
  "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
  "GITHUB_WEBHOOK_SECRET",
  "R2_ACCOUNT_ID",
  "R2_ACCESS_KEY_ID",
  "R2_SECRET_ACCESS_KEY",
  "R2_BUCKET",
  "RUNPOD_API_KEY",
  "RUNPOD_ENDPOINT_ID",
  "OPENAI_API_KEY",
  "TOKEN_ENCRYPTION_KEY",
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const SETTING_NAMES = [
  "DOCTOWN_STAGE",
  "DOCTOWN_TABLE",
  "DOCTOWN_STATE_MACHINE_ARN",
  "DOCTOWN_SITE_URL",
  "DOCTOWN_DYNAMODB_ENDPOINT",
  "DOCTOWN_S3_ENDPOINT",
  "DOCTOWN_SFN_ENDPOINT",
  "RUNPOD_API_URL",
  "GITHUB_URL",
  "GITHUB_API_URL",
  "GITHUB_CALLBACK_URL",
  "AWS_REGION",
  "DOCTOWN_RUNPOD_QUEUE_WAIT_SECONDS",
  "DOCTOWN_RUNPOD_POLL_SECONDS",
  "DOCTOWN_RATE_LIMITS",
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

// In Lambda, SST binds secrets as SST_Secret_value_<NAME> = "__FETCH_FROM_SSM__"; its loader fetches
// them once at cold start (top-level await). Elsewhere the module is never loaded.
const sstSecrets: Record<string, string | undefined> | undefined =
  process.env.SST_APP && process.env.AWS_LAMBDA_FUNCTION_NAME
    ? ((await import("sst/node/config")).Config as unknown as Record<string, string | undefined>)
    : undefined;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** A secret, or undefined when it is not set. */
export function optionalSecret(name: SecretName): string | undefined {
  const fromSst = sstSecrets && nonEmpty(sstSecrets[name]);
  return fromSst ?? nonEmpty(process.env[name]);
}

/** A secret that must be set; throws a ConfigError naming it otherwise. */
export function secret(name: SecretName): string {
  const value = optionalSecret(name);
  if (value === undefined) throw new ConfigError(`Missing secret ${name}: set it with \`npx sst secrets set ${name} <value>\` (or as an environment variable locally).`);
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

/** "local" on the local stack; the SST stage name (or "dev") elsewhere. See deploymentMode. */
export function stage(): string {
  return deploymentMode().stage;
}

/** True only on the embedded local stack: never inside Lambda, whatever the stage is called. */
export function isLocalStage(): boolean {
  return deploymentMode().local;
}

/** GitHub's web origin (sign-in, app pages, clone URLs): GITHUB_URL, default https://github.com. */
export function githubUrl(): string {
  return githubBase("GITHUB_URL", "https://github.com");
}

/** The shared preview app's fixed callback (https), or undefined when this stage has its own app. */
export function githubCallbackUrl(): string | undefined {
  const raw = optionalSetting("GITHUB_CALLBACK_URL");
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`GITHUB_CALLBACK_URL must be a URL, got ${JSON.stringify(raw)}.`);
  }
  if (url.protocol !== "https:" || url.search || url.hash || url.username || url.password)
    throw new ConfigError(`GITHUB_CALLBACK_URL must be an https URL without query, got ${JSON.stringify(raw)}.`);
  return url.href;
}

/** GitHub's REST API base: GITHUB_API_URL, default https://api.github.com (GHES: https://HOST/api/v3). */
export function githubApiUrl(): string {
  return githubBase("GITHUB_API_URL", "https://api.github.com");
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * An https base URL without query or fragment (trailing slashes dropped). Plain http only for a
 * loopback stand-in on the local stage: a deployed stage never sends tokens in the clear.
 */
function githubBase(name: "GITHUB_URL" | "GITHUB_API_URL", fallback: string): string {
  const raw = optionalSetting(name) ?? fallback;
  const refuse = (why: string): never => {
    throw new ConfigError(`${name} ${why}, got ${JSON.stringify(raw)}.`);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("must be a URL");
  }
  if (url.username || url.password || url.search || url.hash) refuse("must have no credentials, query or fragment");
  const loopbackHttp = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname) && isLocalStage();
  if (url.protocol !== "https:" && !loopbackHttp) refuse("must be https (plain http://127.0.0.1 only on the local stage)");
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export function runpodApiUrl(): string {
  return (optionalSetting("RUNPOD_API_URL") ?? "https://api.runpod.ai/v2").replace(/\/+$/, "");
}

/** The explicit site origin (DOCTOWN_SITE_URL), validated; undefined when derived per request. */
export function configuredSiteOrigin(): string | undefined {
  const raw = optionalSetting("DOCTOWN_SITE_URL");
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
    return url.origin;
  } catch {
    throw new ConfigError(`DOCTOWN_SITE_URL must be an http(s) URL, got ${JSON.stringify(raw)}.`);
  }
}

/** The S3-compatible endpoint for docpacks: the override, or Cloudflare R2 for R2_ACCOUNT_ID. */
export function s3Endpoint(): string {
  return optionalSetting("DOCTOWN_S3_ENDPOINT") ?? `https://${secret("R2_ACCOUNT_ID")}.r2.cloudflarestorage.com`;
}

export type SignInMode = "github" | "dev" | "none";
export type DeploymentMode = {
  /** DOCTOWN_STAGE, else SST_STAGE, else "dev" (trimmed). */
  stage: string;
  /** The embedded local stack: DOCTOWN_STAGE=local, outside Lambda. SST_STAGE=local alone is not. */
  local: boolean;
  /** GitHub OAuth when a client id is set; the dev sign-in only on the local stack without one. */
  signIn: SignInMode;
};

/**
 * The stage and the sign-in mode, decided here only, from trimmed values, so the start banner, the
 * dev sign-in route and every local-only rule agree. An ambiguous configuration is refused with a
 * ConfigError naming it: a variable set to blanks (" " is neither a value nor unset), only one of
 * GITHUB_CLIENT_ID/SECRET on the local stage, DOCTOWN_STAGE=local beside another SST_STAGE.
 * Inside Lambda nothing is ever the local stage.
 */
export function deploymentMode(env: Record<string, string | undefined> = process.env): DeploymentMode {
  const fromEnv = env === process.env;
  const raw = (name: string) => (fromEnv && sstSecrets?.[name] !== undefined ? sstSecrets[name] : env[name]);
  const value = (name: string) => {
    const text = raw(name);
    if (text === undefined || text === "") return undefined;
    if (text.trim() === "") throw new ConfigError(`${name} is set to blanks: give it a value or unset it.`);
    return text.trim();
  };
  const doctownStage = value("DOCTOWN_STAGE");
  const sstStage = value("SST_STAGE");
  const inLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  // A deployed stage may be called "local" (DOCTOWN_STAGE is the stage name there): it stays deployed.
  if (doctownStage === "local" && !inLambda && sstStage !== undefined && sstStage !== "local")
    throw new ConfigError(`DOCTOWN_STAGE=local is set beside SST_STAGE=${sstStage}: unset one of them.`);
  const clientId = value("GITHUB_CLIENT_ID");
  const clientSecret = value("GITHUB_CLIENT_SECRET");
  const local = doctownStage === "local" && !inLambda;
  if (local && (clientId === undefined) !== (clientSecret === undefined))
    throw new ConfigError("Set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET for GitHub sign-in, or neither for the dev sign-in.");
  return { stage: doctownStage ?? sstStage ?? "dev", local, signIn: clientId !== undefined ? "github" : local ? "dev" : "none" };
}
