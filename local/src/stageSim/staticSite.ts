/**
 * The site's S3 bucket as SST's StaticSite fills it: the S3Uploader custom resource unpacks the
 * `sources` zip assets (web/dist archived by SST at synth time) into `destinationBucketName`. The
 * simulated bucket serves those objects as an S3 origin behind an origin access identity does:
 * a missing key is 403 AccessDenied (no s3:ListBucket), which is why SST maps 403 to the error page.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { unzipSync } from "fflate";
import type { Assembly } from "./assembly";
import type { Intrinsics } from "./intrinsics";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".css": "text/css",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain",
  ".xml": "application/xml",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

export type Bucket = Map<string, Uint8Array>;

/** Buckets by name, filled as the assembly's S3Uploader resources would fill them. */
export function siteBuckets(assembly: Assembly, intrinsics: Intrinsics): Map<string, Bucket> {
  const buckets = new Map<string, Bucket>();
  for (const { stack, resource } of assembly.resourcesOfType("Custom::S3Uploader")) {
    const props = intrinsics.resolve(stack, resource.Properties) as { sources: { objectKey: string }[]; destinationBucketName: string };
    const bucket = buckets.get(props.destinationBucketName) ?? new Map<string, Uint8Array>();
    for (const source of props.sources) {
      const files = unzipSync(readFileSync(assembly.assetPath(source.objectKey)));
      for (const [key, bytes] of Object.entries(files)) if (!key.endsWith("/")) bucket.set(key, bytes);
    }
    buckets.set(props.destinationBucketName, bucket);
  }
  return buckets;
}

/** GET/HEAD of an object as the S3 origin answers CloudFront. */
export function s3Get(bucket: Bucket, key: string): { status: number; headers: Record<string, string>; body: Uint8Array } {
  const bytes = bucket.get(key);
  if (!bytes) {
    const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    return { status: 403, headers: { "content-type": "application/xml" }, body };
  }
  return { status: 200, headers: { "content-type": TYPES[extname(key).toLowerCase()] ?? "application/octet-stream" }, body: bytes };
}
