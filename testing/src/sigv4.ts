/**
 * Checks AWS Signature Version 4 on a received request, in both forms the SDK sends: the
 * Authorization header and a presigned URL's query. The signature is recomputed with
 * @smithy/signature-v4 (the AWS SDK's own signer) from what was received and compared in constant
 * time; only the expected access key, a date within 15 minutes (header) or before expiry
 * (presigned), and a body matching its signed SHA-256 pass.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

export type SigV4Credentials = { accessKeyId: string; secretAccessKey: string };

export type ReceivedRequest = {
  method: string;
  /** The raw request target: path and query exactly as received (still %-encoded). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The whole body, when it was buffered (needed for a header signature over a hashed payload). */
  body?: Buffer;
};

export type Verdict = { ok: true; form: "header" | "presigned"; payloadHash: string } | { ok: false; reason: string; unknownKey?: boolean };

const UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records.";

const MAX_SKEW_MS = 15 * 60_000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const AUTH_QUERY = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"];
const HEX64 = /^[0-9a-f]{64}$/;

/** Whether the request carries a signature at all, and in which form. */
export function signatureForm(req: ReceivedRequest): "header" | "presigned" | null {
  if (typeof req.headers.authorization === "string") return "header";
  return rawQuery(req.url).some(([name]) => name === "X-Amz-Signature") ? "presigned" : null;
}

/** The x-amz-content-sha256 value a header-signed request declares (decides whether to buffer the body). */
export function declaredPayloadHash(req: ReceivedRequest): string | undefined {
  const value = req.headers["x-amz-content-sha256"];
  return typeof value === "string" ? value : undefined;
}

export async function verifySigV4(req: ReceivedRequest, credentials: SigV4Credentials, service: string, now = new Date()): Promise<Verdict> {
  try {
    const form = signatureForm(req);
    if (form === "header") return await verifyHeader(req, credentials, service, now);
    if (form === "presigned") return await verifyPresigned(req, credentials, service, now);
    return { ok: false, reason: "The request is not signed." };
  } catch (error) {
    return { ok: false, reason: `The signature could not be checked: ${(error as Error).message}` };
  }
}

async function verifyHeader(req: ReceivedRequest, credentials: SigV4Credentials, service: string, now: Date): Promise<Verdict> {
  const match = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization).trim());
  if (!match) return { ok: false, reason: "The Authorization header is not an AWS4-HMAC-SHA256 signature." };
  const [, credential, signedHeaderList, presented] = match;
  const scope = parseScope(credential, credentials, service);
  if (typeof scope === "string") return { ok: false, reason: scope, unknownKey: scope === UNKNOWN_KEY };
  const amzDate = header(req, "x-amz-date");
  const signingDate = amzDate ? parseAmzDate(amzDate) : null;
  if (!signingDate || amzDate!.slice(0, 8) !== scope.date) return { ok: false, reason: "x-amz-date is missing or does not match the credential scope." };
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) return { ok: false, reason: "The request time is more than 15 minutes from the server's." };

  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return { ok: false, reason: "The signature does not cover the host header." };
  const declared = header(req, "x-amz-content-sha256");
  let payloadHash: string;
  if (declared !== undefined) {
    if (declared === "UNSIGNED-PAYLOAD") payloadHash = declared;
    else if (HEX64.test(declared)) {
      if (!req.body || sha256(req.body) !== declared) return { ok: false, reason: "The body does not match its signed SHA-256." };
      payloadHash = declared;
    } else return { ok: false, reason: "Unsupported x-amz-content-sha256." };
  } else {
    if (!req.body && !["GET", "HEAD", "DELETE", "OPTIONS"].includes(req.method)) return { ok: false, reason: "The body was not available to check." };
    payloadHash = sha256(req.body ?? Buffer.alloc(0));
  }

  const signer = signerFor(credentials, scope.region, service);
  const signed = await signer.sign(
    { ...baseRequest(req, signedHeaders), body: req.body ?? undefined },
    { signingDate, signableHeaders: new Set(signedHeaders), signingRegion: scope.region, signingService: service },
  );
  const recomputed = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? "";
  const recomputedList = /SignedHeaders=([^,\s]+)/.exec(String(signed.headers.authorization))?.[1];
  if (recomputedList !== signedHeaderList || !equal(recomputed, presented)) return { ok: false, reason: "The signature does not match." };
  return { ok: true, form: "header", payloadHash };
}

async function verifyPresigned(req: ReceivedRequest, credentials: SigV4Credentials, service: string, now: Date): Promise<Verdict> {
  const params = new Map<string, string>();
  for (const [name, value] of rawQuery(req.url)) {
    if (!AUTH_QUERY.includes(name) && name !== "X-Amz-Content-Sha256") continue;
    if (params.has(name)) return { ok: false, reason: `${name} appears twice.` };
    params.set(name, value);
  }
  if (params.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return { ok: false, reason: "X-Amz-Algorithm must be AWS4-HMAC-SHA256." };
  const scope = parseScope(params.get("X-Amz-Credential") ?? "", credentials, service);
  if (typeof scope === "string") return { ok: false, reason: scope, unknownKey: scope === UNKNOWN_KEY };
  const amzDate = params.get("X-Amz-Date") ?? "";
  const signingDate = parseAmzDate(amzDate);
  const expiresIn = Number(params.get("X-Amz-Expires"));
  if (!signingDate || amzDate.slice(0, 8) !== scope.date) return { ok: false, reason: "X-Amz-Date is missing or does not match the credential scope." };
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGNED_SECONDS) return { ok: false, reason: "X-Amz-Expires is not valid." };
  if (signingDate.getTime() - now.getTime() > MAX_SKEW_MS) return { ok: false, reason: "The URL is dated in the future." };
  if (now.getTime() > signingDate.getTime() + expiresIn * 1000) return { ok: false, reason: "The URL has expired." };
  const payloadHash = params.get("X-Amz-Content-Sha256");
  if (payloadHash !== "UNSIGNED-PAYLOAD") return { ok: false, reason: "A presigned URL must carry X-Amz-Content-Sha256=UNSIGNED-PAYLOAD." };
  const signedHeaderList = params.get("X-Amz-SignedHeaders") ?? "";
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return { ok: false, reason: "The signature does not cover the host header." };

  const base = baseRequest(req, signedHeaders);
  // The signer adds the auth parameters itself and hoists x-amz-content-sha256 back into the query.
  for (const name of [...AUTH_QUERY, "X-Amz-Content-Sha256"]) delete base.query[name];
  base.headers["X-Amz-Content-Sha256"] = payloadHash;
  const presigned = await signerFor(credentials, scope.region, service).presign(base, {
    signingDate,
    expiresIn,
    signableHeaders: new Set(signedHeaders),
    signingRegion: scope.region,
    signingService: service,
  });
  if (presigned.query?.["X-Amz-SignedHeaders"] !== signedHeaderList || !equal(String(presigned.query?.["X-Amz-Signature"] ?? ""), params.get("X-Amz-Signature") ?? ""))
    return { ok: false, reason: "The signature does not match." };
  return { ok: true, form: "presigned", payloadHash };
}

/** AK/yyyymmdd/region/service/aws4_request, for our key and service; an error message otherwise. */
function parseScope(credential: string, credentials: SigV4Credentials, service: string): { date: string; region: string } | string {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1])) return "The credential scope is malformed.";
  if (!equal(parts[0], credentials.accessKeyId)) return UNKNOWN_KEY;
  if (parts[3] !== service) return `The signature is for ${parts[3]}, not ${service}.`;
  return { date: parts[1], region: parts[2] };
}

/** The request as the signer sees it: method, host, raw path, decoded query, only the signed headers. */
function baseRequest(req: ReceivedRequest, signedHeaders: string[]) {
  const target = req.url.startsWith("/") ? req.url : "/";
  const queryStart = target.indexOf("?");
  const path = queryStart < 0 ? target : target.slice(0, queryStart);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of rawQuery(req.url)) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const host = header(req, "host") ?? "";
  const [hostname, port] = host.split(":");
  return { method: req.method, protocol: "http:", hostname, port: port ? Number(port) : undefined, path, query, headers };
}

/** The query's name/value pairs, %-decoded, in order. */
function rawQuery(url: string): [string, string][] {
  const queryStart = url.indexOf("?");
  if (queryStart < 0) return [];
  return url
    .slice(queryStart + 1)
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? "" : pair.slice(eq + 1);
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
}

function signerFor(credentials: SigV4Credentials, region: string, service: string) {
  // S3 signs the path as sent; other services normalise and escape it (as the SDK's clients do).
  return new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, "sha256"), uriEscapePath: service !== "s3", applyChecksum: false });
}

function header(req: ReceivedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function parseAmzDate(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? null : date;
}

const sha256 = (body: Buffer) => createHash("sha256").update(body).digest("hex");

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
