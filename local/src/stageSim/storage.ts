/**
 * DynamoDB on dynalite with the table created from the template's AWS::DynamoDB::Table properties
 * (not from the sources), and R2 on s3rver with the bucket the R2_BUCKET secret names.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { Iam } from "./iam";
import { SIM_ACCOUNT, SIM_REGION } from "./intrinsics";

const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer?: Server };

const DUMMY = { accessKeyId: "sim", secretAccessKey: "sim" };
/** The key pair s3rver knows out of the box (R2 credentials are secrets the test sets to these). */
const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

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

/** The table ARNs one DynamoDB request touches (indexes as table/…/index/…), for IAM. */
export function dynamoResources(input: Record<string, any>): string[] {
  const arn = (table: string) => `arn:aws:dynamodb:${SIM_REGION}:${SIM_ACCOUNT}:table/${table}`;
  if (input.TableName) return [input.IndexName ? `${arn(input.TableName)}/index/${input.IndexName}` : arn(input.TableName)];
  if (input.RequestItems) return Object.keys(input.RequestItems).map(arn);
  if (input.TransactItems)
    return (input.TransactItems as Record<string, { TableName: string }>[]).map((item) => arn(Object.values(item)[0].TableName));
  return [];
}

/** The IAM action of a DynamoDB call; transactions are authorised per item action. */
function dynamoAction(operation: string) {
  return `dynamodb:${operation}`;
}

export async function startDynamo(tables: { name: string; properties: Record<string, any> }[], iam: Iam) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dynalitePort = (server.address() as AddressInfo).port;
  // In front of dynalite: the caller's IAM policy, as DynamoDB evaluates it before the request.
  const gate = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    try {
      iam.check(req.headers, dynamoAction(operation), dynamoResources(body.length ? JSON.parse(body.toString("utf8")) : {}));
    } catch (error) {
      const text = JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", Message: (error as Error).message });
      res.writeHead(400, { "content-type": "application/x-amz-json-1.0", "content-length": Buffer.byteLength(text) });
      return void res.end(text);
    }
    const upstream = httpRequest({ host: "127.0.0.1", port: dynalitePort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint: url, region: SIM_REGION, credentials: DUMMY });
  try {
    for (const table of tables) {
      await client.send(new CreateTableCommand(createTableInput(table.name, table.properties)));
      // dynalite is ACTIVE at once (createTableMs 0); the SDK's waiter says so rather than assuming it.
      await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table.name });
    }
  } finally {
    client.destroy();
  }
  return {
    url,
    close: async () => {
      await new Promise<void>((resolve) => (gate.close(() => resolve()), gate.closeAllConnections()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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
