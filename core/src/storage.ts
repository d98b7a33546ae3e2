/**
 * Storage: docpack objects in R2 (or s3rver locally) through the S3 client of the registry, with
 * presigned PUTs for the builder and short-lived presigned GETs for downloads.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { s3Endpoint, secret } from "./config";
import { service } from "./services";

/** The S3 client for the docpack bucket (R2, or s3rver locally). */
export function s3Client(): S3Client {
  return service(
    "s3",
    () =>
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
  );
}

/** The docpack bucket's name. */
export function docpackBucket(): string {
  return service("bucket", () => secret("R2_BUCKET"));
}

export const DOCPACK_CONTENT_TYPE = "application/zip";
export const UPLOAD_URL_TTL_SECONDS = 3600;
export const DOWNLOAD_URL_TTL_SECONDS = 300;

export const DOCPACK_PREFIX = "docpacks/";
const DOCPACK_SUFFIX = ".docpack.zip";

/** Where a job's docpack lives in the bucket. */
export function docpackObjectKey(jobId: string): string {
  return `${DOCPACK_PREFIX}${jobId}${DOCPACK_SUFFIX}`;
}

/** The job id a docpack object key names, or null for any other key. */
export function jobIdOfObjectKey(key: string): string | null {
  if (!key.startsWith(DOCPACK_PREFIX) || !key.endsWith(DOCPACK_SUFFIX)) return null;
  const jobId = key.slice(DOCPACK_PREFIX.length, -DOCPACK_SUFFIX.length);
  return /^[A-Za-z0-9_-]{1,80}$/.test(jobId) ? jobId : null;
}

/** Every object under a prefix (key, size, last modified), page by page. */
export async function* listObjects(prefix: string): AsyncGenerator<{ key: string; size: number; lastModified: Date }> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? [])
      if (object.Key) yield { key: object.Key, size: Number(object.Size ?? 0), lastModified: object.LastModified ?? new Date(0) };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

export async function putObject(key: string, body: Buffer | string, contentType = DOCPACK_CONTENT_TYPE): Promise<void> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** Size and metadata of an object, or null when there is none. */
export async function headObject(key: string): Promise<{ size: number; contentType: string | null; metadata: Record<string, string> } | null> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: Number(head.ContentLength ?? 0), contentType: head.ContentType ?? null, metadata: head.Metadata ?? {} };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === "NotFound" || (error as Error).name === "NoSuchKey" || status === 404) return null;
    throw error;
  }
}

/** SHA-256 (hex) of an object's bytes, streamed; null when there is none. */
export async function hashObject(key: string): Promise<string | null> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  let body: Readable;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = object.Body as Readable;
  } catch (error) {
    if ((error as Error).name === "NoSuchKey" || (error as Error).name === "NotFound") return null;
    throw error;
  }
  const hash = createHash("sha256");
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export async function deleteObject(key: string): Promise<void> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** A URL the builder can PUT the object to (Content-Type must be application/zip). */
export async function presignPut(key: string, expiresIn = UPLOAD_URL_TTL_SECONDS): Promise<string> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: DOCPACK_CONTENT_TYPE }), { expiresIn });
}

/** A short-lived download URL; `filename` sets Content-Disposition so browsers save it sensibly. */
export async function presignGet(key: string, options: { filename?: string; expiresIn?: number } = {}): Promise<string> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  const disposition = options.filename ? `attachment; filename="${options.filename.replace(/[^A-Za-z0-9._-]/g, "_")}"` : undefined;
  return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: disposition }), {
    expiresIn: options.expiresIn ?? DOWNLOAD_URL_TTL_SECONDS,
  });
}

/**
 * The dashboard's viewer fetches presigned GETs from the bucket's own origin; after the download
 * route's redirect the browser sends the site's origin (checked with Chromium), so only it is
 * allowed. The URLs themselves are the authorisation; no credentials are involved.
 */
export function downloadCorsRules(siteOrigin: string) {
  return [{ AllowedOrigins: [siteOrigin], AllowedMethods: ["GET", "HEAD"], AllowedHeaders: ["*"], MaxAgeSeconds: 3600 }];
}

/** Lets the site's browsers read presigned downloads (once per bucket: `npm run r2:cors`). */
export async function allowBrowserDownloads(siteOrigin: string): Promise<void> {
  const s3 = s3Client();
  const bucket = docpackBucket();
  await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: downloadCorsRules(siteOrigin) } }));
}
