/**
 * The one place that reads the environment.
 *
 * Secrets (SST v2 `Config.Secret` in the cloud, fetched from SSM on first use by loadSecrets; plain
 * environment variables of the same name on the local stack and in tests):
 *   GITHUB_APP_ID, GITHUB_APP_SLUG           the stage's GitHub App (numeric id; URL name for install links)
 *   GITHUB_APP_PRIVATE_KEY                   its PEM private key: signs the app JWT that mints installation tokens
 *   GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET   its client credentials: user sign-in (user authorization)
 *   GITHUB_WEBHOOK_SECRET                    its webhook secret: X-Hub-Signature-256 key
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
 *   DOCTOWN_SITE_ORIGINS        local stack: the origins (comma-separated) Host may name when the
 *                               origin is derived from it; set by the local stack
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
  "TOKEN_ENCRYPTION_KEY",
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const SETTING_NAMES = [
  "DOCTOWN_STAGE",
  "DOCTOWN_TABLE",
  "DOCTOWN_STATE_MACHINE_ARN",
  "DOCTOWN_SITE_URL",
  "DOCTOWN_SITE_ORIGINS",
  "DOCTOWN_ORIGIN_VERIFY",
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

/** "local" on the local stack; the SST stage name (or "dev") elsewhere. See deploymentMode. */
export function stage(): string {
  return stageMode(process.env).stage;
}

/** True only on the embedded local stack: never inside Lambda, whatever the stage is called. */
export function isLocalStage(): boolean {
  return stageMode(process.env).local;
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

/**
 * The site origin a deployed stage is configured with: DOCTOWN_SITE_URL (a custom domain, set at
 * deploy time), else the SITE_URL parameter the Web stack writes (the distribution's URL; read from
 * SSM by loadSecrets, since the API stack cannot depend on the Web stack). Undefined when neither.
 */
export function deployedSiteOrigin(): string | undefined {
  return configuredSiteOrigin() ?? originOf("SITE_URL parameter", boundParameter("SITE_URL"));
}

/**
 * The origins the local stack answers under (DOCTOWN_SITE_ORIGINS, comma-separated; set by the local
 * stack once its gateway listens: 127.0.0.1 and localhost with its port). Undefined when not set.
 */
export function localSiteOrigins(): string[] | undefined {
  const raw = optionalSetting("DOCTOWN_SITE_ORIGINS");
  return raw?.split(",").map((origin) => originOf("DOCTOWN_SITE_ORIGINS", origin.trim())!.toLowerCase());
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
  const { stage, local, value } = stageMode(env);
  const clientId = value("GITHUB_CLIENT_ID");
  const clientSecret = value("GITHUB_CLIENT_SECRET");
  if (local && (clientId === undefined) !== (clientSecret === undefined))
    throw new ConfigError("Set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET for GitHub sign-in, or neither for the dev sign-in.");
  return { stage, local, signIn: clientId !== undefined ? "github" : local ? "dev" : "none" };
}

/**
 * The stage and whether it is the local stack, without the sign-in mode: what stage() and
 * isLocalStage() need. Kept apart so that every handler does not read (and need bound) the GitHub
 * client secrets just to learn it is not on the local stack.
 */
function stageMode(env: Record<string, string | undefined>) {
  const fromEnv = env === process.env;
  // A secret bound by SST (Lambda) wins over a plain variable; before loadSecrets() it is not known yet,
  // and inside Lambda the answer does not depend on it (never the local stage, GitHub sign-in).
  const raw = (name: string) => {
    if (fromEnv && env[`SST_Secret_value_${name}`] !== undefined) {
      try {
        return boundValue("Secret", name) ?? env[name];
      } catch {
        return env[name];
      }
    }
    return env[name];
  };
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
  const local = doctownStage === "local" && !inLambda;
  return { stage: doctownStage ?? sstStage ?? "dev", local, value };
}
