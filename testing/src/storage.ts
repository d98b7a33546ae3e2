/**
 * The embedded stand-ins for the cloud's storage: dynalite (DynamoDB) and s3rver (R2/S3), started
 * in-process on 127.0.0.1 random ports, with the table (keys as core/src/table.ts defines them,
 * passed in: this workspace depends on no app code) and bucket created. The local stack and the
 * tests both use this, so they run against the same real protocol servers.
 */
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

const require = createRequire(import.meta.url);
type DynaliteFactory = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
type S3rverInstance = { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer?: Server };
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const dynalite = require("dynalite") as DynaliteFactory;
const S3rver = require("s3rver") as S3rverClass;

/** s3rver accepts only this key pair; any region works. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
/** dynalite checks only that some credentials are present. */
export const LOCAL_DYNAMODB_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

/** A table's key attributes (all strings): core/src/table.ts's TABLE_KEYS. */
export type TableKeys = {
  partitionKey: string;
  sortKey: string;
  indexes: Record<string, { partitionKey: string; sortKey: string }>;
};

export type LocalServicesOptions = {
  tableKeys: TableKeys;
  /** Keep data under this directory (dynalite/ and s3/ inside it); omitted: in memory + a temp dir removed on stop. */
  dataDir?: string;
  tableName?: string;
  bucket?: string;
};

export type LocalServices = {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucket: string;
  region: string;
  /** The environment variables (core/src/config.ts names) that point Doctown at these servers. */
  env: Record<string, string>;
  stop(): Promise<void>;
};

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const tableName = options.tableName ?? "doctown";
  const bucket = options.bucket ?? "doctown-docpacks";
  const persistent = options.dataDir !== undefined;
  const s3Dir = persistent ? join(options.dataDir!, "s3") : mkdtempSync(join(tmpdir(), "doctown-s3-"));
  mkdirSync(s3Dir, { recursive: true });
  if (persistent) mkdirSync(join(options.dataDir!, "dynalite"), { recursive: true });

  const dynamo = dynalite({
    path: persistent ? join(options.dataDir!, "dynalite") : undefined,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    dynamo.once("error", reject);
    dynamo.listen(0, "127.0.0.1", () => resolve());
  });
  const dynamodbEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

  const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: s3Dir });
  let s3Address: AddressInfo;
  try {
    s3Address = await s3.run();
  } catch (error) {
    await new Promise((resolve) => dynamo.close(resolve));
    throw error;
  }
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  const stop = async () => {
    const s3Closed = s3.close();
    // A browser that downloaded a docpack keeps its connection open; stop must not wait for it.
    s3.httpServer?.closeAllConnections();
    await Promise.allSettled([new Promise((resolve) => dynamo.close(resolve)), s3Closed]);
    if (!persistent) rmSync(s3Dir, { recursive: true, force: true });
  };

  try {
    await createTable(dynamodbEndpoint, tableName, options.tableKeys);
    await createBucket(s3Endpoint, bucket);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    dynamodbEndpoint,
    s3Endpoint,
    tableName,
    bucket,
    region: LOCAL_REGION,
    env: {
      DOCTOWN_DYNAMODB_ENDPOINT: dynamodbEndpoint,
      DOCTOWN_TABLE: tableName,
      DOCTOWN_S3_ENDPOINT: s3Endpoint,
      R2_BUCKET: bucket,
      R2_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      R2_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_DYNAMODB_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_DYNAMODB_CREDENTIALS.secretAccessKey,
    },
    stop,
  };
}

/** Creates the table; an existing one (persistent data dir) is kept. */
async function createTable(endpoint: string, tableName: string, keys: TableKeys) {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_DYNAMODB_CREDENTIALS });
  const { partitionKey, sortKey, indexes } = keys;
  const attributeNames = [partitionKey, sortKey, ...Object.values(indexes).flatMap((i) => [i.partitionKey, i.sortKey])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: attributeNames.map((name) => ({ AttributeName: name, AttributeType: "S" })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: "HASH" },
          { AttributeName: sortKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: Object.entries(indexes).map(([name, keys]) => ({
          IndexName: name,
          KeySchema: [
            { AttributeName: keys.partitionKey, KeyType: "HASH" },
            { AttributeName: keys.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) {
      client.destroy();
      throw error;
    }
  }
  // dynalite reports ACTIVE at once with createTableMs 0; wait anyway so a persistent reopen is safe.
  try {
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  } finally {
    client.destroy();
  }
}

async function createBucket(endpoint: string, bucket: string) {
  const client = new S3Client({ endpoint, region: LOCAL_REGION, forcePathStyle: true, credentials: LOCAL_S3_CREDENTIALS });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw error;
  } finally {
    client.destroy();
  }
}
