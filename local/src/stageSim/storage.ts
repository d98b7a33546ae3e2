/**
 * DynamoDB on dynalite with the table created from the template's AWS::DynamoDB::Table properties
 * (not from the sources), and R2 on s3rver with the bucket the R2_BUCKET secret names.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { LOCAL_S3_CREDENTIALS } from "../services";
import { SIM_REGION } from "./intrinsics";

const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer?: Server };

const DUMMY = { accessKeyId: "sim", secretAccessKey: "sim" };

/** The CreateTable input CloudFormation would send for these (resolved) properties. */
export function createTableInput(tableName: string, props: Record<string, any>) {
  return {
    TableName: tableName,
    BillingMode: props.BillingMode ?? "PROVISIONED",
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
    LocalSecondaryIndexes: props.LocalSecondaryIndexes,
    ProvisionedThroughput: props.ProvisionedThroughput,
    StreamSpecification: props.StreamSpecification,
  };
}

export async function startDynamo(tables: { name: string; properties: Record<string, any> }[]) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint: url, region: SIM_REGION, credentials: DUMMY });
  try {
    for (const table of tables) await client.send(new CreateTableCommand(createTableInput(table.name, table.properties)));
  } finally {
    client.destroy();
  }
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function startR2(bucket: string) {
  const directory = mkdtempSync(join(tmpdir(), "doctown-sim-r2-"));
  const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory });
  const address = await s3.run();
  const url = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({ endpoint: url, region: "auto", forcePathStyle: true, credentials: LOCAL_S3_CREDENTIALS });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return {
    url,
    credentials: LOCAL_S3_CREDENTIALS,
    async close() {
      const closed = s3.close();
      s3.httpServer?.closeAllConnections();
      await closed;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
