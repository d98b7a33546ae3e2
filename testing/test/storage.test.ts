import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalServices } from "../src/storage";

/** A table shaped like core/src/table.ts's (this workspace depends on no app code). */
const tableKeys = { partitionKey: "pk", sortKey: "sk", indexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" } } };

const dataDir = mkdtempSync(join(tmpdir(), "doctown-services-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("local services (dynalite + s3rver)", () => {
  it("keeps table items and objects across a restart when given a data dir", async () => {
    const first = await startLocalServices({ tableKeys, dataDir });
    expect(first.dynamodbEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: first.dynamodbEndpoint, region: "us-east-1", credentials: first.dynamodbCredentials }));
    await db.send(new PutCommand({ TableName: first.tableName, Item: { pk: "A", sk: "B", gsi1pk: "G", gsi1sk: "S", value: 1 } }));
    const s3 = new S3Client({ endpoint: first.s3Endpoint, region: "us-east-1", forcePathStyle: true, credentials: first.s3Credentials });
    await s3.send(new PutObjectCommand({ Bucket: first.bucket, Key: "k", Body: "kept" }));
    db.destroy();
    s3.destroy();
    await first.stop();

    const second = await startLocalServices({ tableKeys, dataDir });
    try {
      const db2 = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: second.dynamodbEndpoint, region: "us-east-1", credentials: second.dynamodbCredentials }));
      expect((await db2.send(new GetCommand({ TableName: second.tableName, Key: { pk: "A", sk: "B" } }))).Item?.value).toBe(1);
      const s3b = new S3Client({ endpoint: second.s3Endpoint, region: "us-east-1", forcePathStyle: true, credentials: second.s3Credentials });
      expect(await (await s3b.send(new GetObjectCommand({ Bucket: second.bucket, Key: "k" }))).Body?.transformToString()).toBe("kept");
      db2.destroy();
      s3b.destroy();
    } finally {
      await second.stop();
    }
  });
});
