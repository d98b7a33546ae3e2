/**
 * Reads SST's secrets and parameters from SSM with one signed `GetParameters` request per ten
 * names: SST's own layout (`<SST_SSM_PREFIX><Kind>/<NAME>/value`, then the app-wide fallback
 * `/sst/<app>/.fallback/Secret/<NAME>/value`), but a missing value is left out instead of thrown.
 * Deliberately not the SSM SDK client: loading it costs ~220 ms of cold start for one call.
 * Credentials come from the Lambda environment; AWS_ENDPOINT_URL_SSM points it at a stand-in.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { ConfigError } from "./errors";

export type SstValue = { kind: "Secret" | "Parameter"; name: string };

type GetParametersOutput = { Parameters?: { Name: string; Value?: string }[]; InvalidParameters?: string[] };

const env = (name: string) => process.env[name] || undefined;

/** The values found, keyed "<kind>/<name>". */
export async function readSstValues(wanted: SstValue[]): Promise<Map<string, string>> {
  const app = env("SST_APP");
  const prefix = env("SST_SSM_PREFIX") ?? `/sst/${app}/${env("SST_STAGE")}/`;
  const byPath = new Map(wanted.map((value) => [`${prefix}${value.kind}/${value.name}/value`, value]));
  const found = new Map<string, string>();
  const missing: SstValue[] = [];
  for (const [path, value] of await getParameters([...byPath.keys()])) {
    const wantedValue = byPath.get(path)!;
    if (value === undefined) missing.push(wantedValue);
    else found.set(`${wantedValue.kind}/${wantedValue.name}`, value);
  }
  // Secrets set once for every stage (`sst secrets set --fallback`) live under the app's fallback.
  const fallbacks = new Map(missing.filter((v) => v.kind === "Secret").map((v) => [`/sst/${app}/.fallback/Secret/${v.name}/value`, v]));
  for (const [path, value] of await getParameters([...fallbacks.keys()])) {
    if (value !== undefined) found.set(`Secret/${fallbacks.get(path)!.name}`, value);
  }
  return found;
}

async function getParameters(names: string[]): Promise<Map<string, string | undefined>> {
  const result = new Map<string, string | undefined>(names.map((name) => [name, undefined]));
  for (let i = 0; i < names.length; i += 10) {
    const output = await call({ Names: names.slice(i, i + 10), WithDecryption: true });
    for (const parameter of output.Parameters ?? []) result.set(parameter.Name, parameter.Value);
  }
  return result;
}

async function call(body: { Names: string[]; WithDecryption: boolean }): Promise<GetParametersOutput> {
  const region = env("AWS_REGION") ?? env("SST_REGION") ?? "us-east-1";
  const endpoint = new URL(env("AWS_ENDPOINT_URL_SSM") ?? env("AWS_ENDPOINT_URL") ?? `https://ssm.${region}.amazonaws.com`);
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) throw new ConfigError("No AWS credentials in the environment to read secrets from SSM.");
  const signer = new SignatureV4({
    service: "ssm",
    region,
    sha256: Hash.bind(null, "sha256"),
    credentials: { accessKeyId, secretAccessKey, sessionToken: env("AWS_SESSION_TOKEN") },
  });
  const payload = JSON.stringify(body);
  const signed = await signer.sign({
    method: "POST",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path: endpoint.pathname,
    headers: {
      host: endpoint.host,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonSSM.GetParameters",
    },
    body: payload,
  });
  // fetch sets Host itself, to the same value that was signed.
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(endpoint, {
    method: "POST",
    headers,
    body: payload,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok) throw new ConfigError(`Reading secrets from SSM failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as GetParametersOutput;
}
