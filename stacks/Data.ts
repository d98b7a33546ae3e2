import { RemovalPolicy } from "aws-cdk-lib";
import { Table, type StackContext } from "sst/constructs";
import { TABLE_KEYS } from "../core/src/table";

/** The one DynamoDB table (key layout: core/src/table.ts). Kept and backed up only on `prod`. */
export function Data({ stack, app }: StackContext) {
  const isProd = app.stage === "prod";
  const { indexes } = TABLE_KEYS;
  const table = new Table(stack, "Table", {
    fields: {
      [TABLE_KEYS.partitionKey]: "string",
      [TABLE_KEYS.sortKey]: "string",
      [indexes.gsi1.partitionKey]: "string",
      [indexes.gsi1.sortKey]: "string",
      [indexes.gsi2.partitionKey]: "string",
      [indexes.gsi2.sortKey]: "string",
    },
    primaryIndex: { partitionKey: TABLE_KEYS.partitionKey, sortKey: TABLE_KEYS.sortKey },
    globalIndexes: {
      gsi1: { partitionKey: indexes.gsi1.partitionKey, sortKey: indexes.gsi1.sortKey },
      gsi2: { partitionKey: indexes.gsi2.partitionKey, sortKey: indexes.gsi2.sortKey },
    },
    timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
    cdk: {
      table: {
        pointInTimeRecovery: isProd,
        removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      },
    },
  });
  return { table };
}
