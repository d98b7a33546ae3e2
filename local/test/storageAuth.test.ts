/**
 * The local stack's storage checks who asks: s3rver and dynalite sit behind proxies that admit only
 * requests signed (SigV4, header or presigned URL) with the credentials made for this start. Unsigned,
 * dummy-signed, wrongly signed, tampered, expired and body-swapped requests are refused and change
 * nothing; CORS goes to the site's origin only, never `*`.
 */
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE_KEYS } from "@doctown/core/table";
import { startLocalServices, type LocalServices } from "@doctown/testing/storage";

const SITE = "http://127.0.0.1:4999";
let local: LocalServices;
let s3: S3Client;
let key: string;
beforeAll(async () => {
  local = await startLocalServices({ tableKeys: TABLE_KEYS });
  local.allowBrowserOrigins([SITE]);
  s3 = new S3Client({ endpoint: local.s3Endpoint, region: "auto", forcePathStyle: true, credentials: local.s3Credentials, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
  key = "docpacks/private.docpack.zip";
  await s3.send(new PutObjectCommand({ Bucket: local.bucket, Key: key, Body: "private bytes", ContentType: "application/zip" }));
});
afterAll(async () => {
  s3?.destroy();
  await local?.stop();
});

const objectUrl = (objectKey = key) => `${local.s3Endpoint}/${local.bucket}/${objectKey}`;
const stillPrivate = async () => (await (await s3.send(new GetObjectCommand({ Bucket: local.bucket, Key: key }))).Body!.transformToString()) === "private bytes";
const refused: string[] = [];
afterAll(() => console.log(`storage requests without valid credentials → ${refused.length} refused (${refused.join(", ")})`));

async function expectRefused(name: string, response: Response) {
  await response.arrayBuffer();
  expect(response.status, name).toBe(403);
  expect(response.headers.get("access-control-allow-origin"), name).toBeNull();
  refused.push(name);
}

describe("the S3 stand-in behind its proxy", () => {
  it("refuses unsigned GET, PUT, DELETE and LIST", async () => {
    await expectRefused("unsigned GET", await fetch(objectUrl()));
    await expectRefused("unsigned PUT", await fetch(objectUrl(), { method: "PUT", body: "replaced" }));
    await expectRefused("unsigned DELETE", await fetch(objectUrl(), { method: "DELETE" }));
    await expectRefused("unsigned LIST", await fetch(`${local.s3Endpoint}/${local.bucket}?list-type=2`));
    expect(await stillPrivate()).toBe(true);
  });

  it("refuses s3rver's well-known key pair and a wrong secret for the stack's key", async () => {
    for (const [name, credentials] of [
      ["S3RVER key pair", { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }],
      ["wrong secret", { accessKeyId: local.s3Credentials.accessKeyId, secretAccessKey: "guessed" }],
    ] as const) {
      const client = new S3Client({ endpoint: local.s3Endpoint, region: "auto", forcePathStyle: true, credentials, requestChecksumCalculation: "WHEN_REQUIRED" });
      await expect(client.send(new PutObjectCommand({ Bucket: local.bucket, Key: key, Body: "replaced" })), name).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await expectRefused(`${name} presigned GET`, await fetch(await getSignedUrl(client, new GetObjectCommand({ Bucket: local.bucket, Key: key }), { expiresIn: 60 })));
      client.destroy();
    }
    expect(await stillPrivate()).toBe(true);
  });

  it("serves a presigned GET, but not once tampered with or expired", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: local.bucket, Key: key }), { expiresIn: 60 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("private bytes");
    await expectRefused("presigned URL for another key", await fetch(url.replace("private.docpack.zip", "other.docpack.zip")));
    await expectRefused("presigned URL with a longer expiry", await fetch(url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000")));
    const old = await getSignedUrl(s3, new GetObjectCommand({ Bucket: local.bucket, Key: key }), { expiresIn: 1, signingDate: new Date(Date.now() - 60_000) });
    await expectRefused("expired presigned URL", await fetch(old));
    // A presigned GET does not authorise a PUT to the same URL.
    await expectRefused("presigned GET used to PUT", await fetch(url, { method: "PUT", body: "replaced" }));
    expect(await stillPrivate()).toBe(true);
  });

  it("lets only the site's origin read downloads cross-origin; never answers with *", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: local.bucket, Key: key }), { expiresIn: 60 });
    const fromSite = await fetch(url, { headers: { origin: SITE } });
    await fromSite.arrayBuffer();
    expect(fromSite.headers.get("access-control-allow-origin")).toBe(SITE);
    for (const origin of ["https://evil.example", "http://127.0.0.1:1", "null"]) {
      const other = await fetch(url, { headers: { origin } });
      await other.arrayBuffer();
      expect(other.status).toBe(200); // the URL is the authorisation; the browser just may not read it
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      expect(other.headers.get("vary")).toBe("Origin");
    }
    const preflight = (origin: string, method: string) =>
      fetch(objectUrl(), { method: "OPTIONS", headers: { origin, "access-control-request-method": method } });
    const allowed = await preflight(SITE, "GET");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(SITE);
    await expectRefused("preflight from another origin", await preflight("https://evil.example", "GET"));
    await expectRefused("preflight for PUT", await preflight(SITE, "PUT"));
    // Unsigned requests get no CORS headers at all, whatever the origin.
    const unsigned = await fetch(objectUrl(), { headers: { origin: SITE } });
    await expectRefused("unsigned GET from the site", unsigned);
  });
});

describe("the DynamoDB stand-in behind its proxy", () => {
  it("refuses a Scan with a dummy signature (it answered with every session and user)", async () => {
    for (const [name, credentials] of [
      ["dummy key pair", { accessKeyId: "local", secretAccessKey: "local" }],
      ["wrong secret", { accessKeyId: local.dynamodbCredentials.accessKeyId, secretAccessKey: "guessed" }],
    ] as const) {
      const client = new DynamoDBClient({ endpoint: local.dynamodbEndpoint, region: "us-east-1", credentials, maxAttempts: 1 });
      await expect(client.send(new ScanCommand({ TableName: local.tableName })), name).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      refused.push(`DynamoDB Scan, ${name}`);
      client.destroy();
    }
    await expectRefused("unsigned DynamoDB Scan", await fetch(local.dynamodbEndpoint, { method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.Scan", "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify({ TableName: local.tableName }) }));
    const client = new DynamoDBClient({ endpoint: local.dynamodbEndpoint, region: "us-east-1", credentials: local.dynamodbCredentials });
    expect((await client.send(new ScanCommand({ TableName: local.tableName }))).$metadata.httpStatusCode).toBe(200);
    client.destroy();
  });

  it("refuses a correctly signed request whose body was swapped (a replayed signature)", async () => {
    const url = new URL(local.dynamodbEndpoint);
    const signer = new SignatureV4({ credentials: local.dynamodbCredentials, region: "us-east-1", service: "dynamodb", sha256: Hash.bind(null, "sha256") });
    const body = JSON.stringify({ TableName: local.tableName, Limit: 1 });
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.Scan" },
      body,
    });
    const send = (payload: string) => fetch(local.dynamodbEndpoint, { method: "POST", headers: signed.headers as Record<string, string>, body: payload });
    const genuine = await send(body);
    await genuine.arrayBuffer();
    expect(genuine.status).toBe(200);
    await expectRefused("signed DynamoDB request with a swapped body", await send(JSON.stringify({ TableName: local.tableName })));
  });
});
