/**
 * The embedded stand-ins for the cloud's storage: dynalite (DynamoDB) and s3rver (R2/S3), started
 * in-process on 127.0.0.1 random ports, with the table (keys as core/src/table.ts defines them,
 * passed in: this workspace depends on no app code) and bucket created. The local stack and the
 * tests both use this, so they run against the same real protocol servers.
 *
 * Neither stand-in checks signatures (s3rver serves unsigned requests, dynalite takes any), so each
 * sits behind an authenticating proxy (storageProxy.ts) that admits only requests signed with
 * credentials made fresh for this start; the endpoints handed out are the proxies'.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startStorageProxy, type StorageProxy } from "./storageProxy";
import type { SigV4Credentials } from "./sigv4";

const require = createRequire(import.meta.url);
type DynaliteFactory = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
type S3rverInstance = { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer?: Server };
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const dynalite = require("dynalite") as DynaliteFactory;
const S3rver = require("s3rver") as S3rverClass;
// s3rver knows access keys by this registry (it checks the key exists, not the signature).
const s3rverAccount = (require("s3rver/lib/models/account") as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT;

/** The stand-ins' own key pairs, used only by this module behind the proxies (s3rver's is fixed). */
const INTERNAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
const INTERNAL_DYNAMODB_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

/** A table's key attributes (all strings): core/src/table.ts's TABLE_KEYS. */
export type TableKeys = {
  partitionKey: string;
  sortKey: string;
  indexes: Record<string, { partitionKey: string; sortKey: string }>;
};

function freshCredentials(prefix: string): SigV4Credentials {
  return { accessKeyId: `${prefix}${randomBytes(8).toString("hex").toUpperCase()}`, secretAccessKey: randomBytes(30).toString("base64url") };
}

export type LocalServicesOptions = {
  tableKeys: TableKeys;
  /** Keep data under this directory (dynalite/ and s3/ inside it); omitted: in memory + a temp dir removed on stop. */
  dataDir?: string;
  tableName?: string;
  bucket?: string;
};

export type LocalServices = {
  /** The authenticating proxies' URLs (the stand-ins themselves are not handed out). */
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** This start's credentials: the only ones the proxies admit. */
  dynamodbCredentials: SigV4Credentials;
  s3Credentials: SigV4Credentials;
  /** Lets browsers at these origins read signed downloads (the site, once its address is known). */
  allowBrowserOrigins(origins: string[]): void;
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
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  const internalDynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;

  const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: s3Dir });
  let s3Address: AddressInfo;
  try {
    s3Address = await s3.run();
  } catch (error) {
    await new Promise((resolve) => dynamo.close(resolve));
    throw error;
  }
  const internalS3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  const s3Credentials = freshCredentials("AKS3");
  const dynamodbCredentials = freshCredentials("AKDB");
  s3rverAccount.createKeyPair(s3Credentials.accessKeyId, s3Credentials.secretAccessKey);
  const proxies: StorageProxy[] = [];

  const stop = async () => {
    await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    const s3Closed = s3.close();
    // A browser that downloaded a docpack keeps its connection open; stop must not wait for it.
    s3.httpServer?.closeAllConnections();
    await Promise.allSettled([new Promise((resolve) => dynamo.close(resolve)), s3Closed]);
    if (!persistent) rmSync(s3Dir, { recursive: true, force: true });
  };

  let s3Proxy: StorageProxy;
  let dynamoProxy: StorageProxy;
  try {
    await createTable(internalDynamodbEndpoint, tableName, options.tableKeys);
    await createBucket(internalS3Endpoint, bucket);
    s3Proxy = await startStorageProxy({ service: "s3", credentials: s3Credentials, upstream: { host: "127.0.0.1", port: s3Address.port } });
    proxies.push(s3Proxy);
    dynamoProxy = await startStorageProxy({ service: "dynamodb", credentials: dynamodbCredentials, upstream: { host: "127.0.0.1", port: dynamoPort } });
    proxies.push(dynamoProxy);
  } catch (error) {
    await stop();
    throw error;
  }
  const dynamodbEndpoint = dynamoProxy.url;
  const s3Endpoint = s3Proxy.url;

  return {
    dynamodbEndpoint,
    s3Endpoint,
    dynamodbCredentials,
    s3Credentials,
    allowBrowserOrigins: (origins) => s3Proxy.allowOrigins(origins),
    tableName,
    bucket,
    region: LOCAL_REGION,
    env: {
      DOCTOWN_DYNAMODB_ENDPOINT: dynamodbEndpoint,
      DOCTOWN_TABLE: tableName,
      DOCTOWN_S3_ENDPOINT: s3Endpoint,
      R2_BUCKET: bucket,
      R2_ACCESS_KEY_ID: s3Credentials.accessKeyId,
      R2_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: dynamodbCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: dynamodbCredentials.secretAccessKey,
    },
    stop,
  };
}

/** Creates the table; an existing one (persistent data dir) is kept. */
async function createTable(endpoint: string, tableName: string, keys: TableKeys) {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: INTERNAL_DYNAMODB_CREDENTIALS });
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
  const client = new S3Client({ endpoint, region: LOCAL_REGION, forcePathStyle: true, credentials: INTERNAL_S3_CREDENTIALS });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw error;
  } finally {
    client.destroy();
  }
}
