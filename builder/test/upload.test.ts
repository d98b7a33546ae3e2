import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetServices } from "@doctown/core/services";
import { hashObject, headObject, presignPut } from "@doctown/core/storage";
import { TABLE_KEYS } from "@doctown/core/table";
import { startLocalServices, type LocalServices } from "@doctown/testing/storage";
import { UploadError, uploadStage } from "../src/stages/upload";

let services: LocalServices;
let dir: string;
let file: string;
let content: Buffer;

beforeAll(async () => {
  services = await startLocalServices({ tableKeys: TABLE_KEYS });
  // The API's own storage module presigns (as the dispatcher does) and checks the object.
  Object.assign(process.env, services.env);
  resetServices();
  dir = await mkdtemp(join(tmpdir(), "doctown-upload-"));
  file = join(dir, "docpack.zip");
  content = randomBytes(3 * 1024 * 1024 + 17); // several stream chunks
  await writeFile(file, content);
});

afterAll(async () => {
  resetServices();
  await services?.stop();
  await rm(dir, { recursive: true, force: true });
});

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** A server that answers each PUT with the next scripted status, reading the whole body first. */
async function scriptedServer(statuses: number[], body = "") {
  const seen: Array<{ length: string | undefined; type: string | undefined; bytes: number; url: string }> = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      seen.push({ length: req.headers["content-length"], type: req.headers["content-type"], bytes, url: req.url ?? "" });
      res.writeHead(statuses.shift() ?? 200).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bucket/key.zip?X-Amz-Signature=topsecret`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("upload stage", () => {
  it("streams the file to a presigned S3 PUT URL (s3rver) with Content-Length and type", async () => {
    const key = "docpacks/job-1.docpack.zip";
    const url = await presignPut(key, 300);
    const result = await uploadStage(file, url);
    expect(result).toEqual({ bytes: content.length, attempts: 1 });

    expect(await headObject(key)).toMatchObject({ size: content.length, contentType: "application/zip" });
    expect(await hashObject(key)).toBe(sha(content));
  });

  it("reports s3rver's refusal (unknown access key) without retrying or leaking the query", async () => {
    // s3rver does not verify SigV4 signatures, but it does refuse unknown access keys.
    process.env.R2_ACCESS_KEY_ID = "NOT-A-KEY";
    resetServices();
    const url = await presignPut("docpacks/other.docpack.zip", 300);
    process.env.R2_ACCESS_KEY_ID = services.env.R2_ACCESS_KEY_ID;
    resetServices();
    const error = await uploadStage(file, url, { backoffMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).message).toMatch(/HTTP 403: InvalidAccessKeyId: The AWS Access Key Id/);
    expect((error as UploadError).message).not.toMatch(/X-Amz|NOT-A-KEY/);
    expect((error as UploadError).retryable).toBe(false);
  });

  it("retries after a 500 and succeeds; each attempt sends the whole body", async () => {
    const server = await scriptedServer([500, 200]);
    try {
      const result = await uploadStage(file, server.url, { backoffMs: 10 });
      expect(result.attempts).toBe(2);
      expect(server.seen).toHaveLength(2);
      for (const attempt of server.seen) {
        expect(attempt).toMatchObject({ length: String(content.length), type: "application/zip", bytes: content.length });
      }
    } finally {
      await server.close();
    }
  });

  it("gives up after its attempts with a clear error that hides the signature", async () => {
    const server = await scriptedServer([503, 503, 503], "<Error><Code>SlowDown</Code><Message>Reduce your rate</Message><StringToSign>x</StringToSign></Error>");
    try {
      const error = (await uploadStage(file, server.url, { attempts: 3, backoffMs: 5 }).catch((e: unknown) => e)) as Error;
      expect(error.message).toBe(`upload to ${new URL(server.url).origin}/bucket/key.zip answered HTTP 503: SlowDown: Reduce your rate (after 3 attempts)`);
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it("times out a stalled server and retries", async () => {
    let requests = 0;
    const server = createServer((req) => {
      requests += 1;
      req.resume(); // read the body, never answer
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/k.zip`;
      const error = (await uploadStage(file, url, { attempts: 2, backoffMs: 5, timeoutMs: 300 }).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/timed out after 300 ms \(after 2 attempts\)/);
      expect(requests).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("refuses non-http URLs before reading anything", async () => {
    await expect(uploadStage(file, "file:///etc/passwd")).rejects.toThrow(/must be http\(s\)/);
    await expect(uploadStage(file, "not a url")).rejects.toThrow(/not a valid URL/);
  });
});
