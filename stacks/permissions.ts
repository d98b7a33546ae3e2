import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Table } from "sst/constructs";

/** Least-privilege statements shared by the stacks: named actions only, never `*`. */
export function tableRead(table: Table) {
  return new PolicyStatement({
    actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
    resources: [table.tableArn, `${table.tableArn}/index/*`],
  });
}

export function tableWrite(table: Table) {
  return new PolicyStatement({
    actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
    resources: [table.tableArn],
  });
}

/** Task-token callbacks cannot be scoped to a resource by IAM; the actions are the limit. */
export function taskCallbacks(...actions: ("SendTaskSuccess" | "SendTaskFailure" | "SendTaskHeartbeat")[]) {
  return new PolicyStatement({ actions: actions.map((a) => `states:${a}`), resources: ["*"] });
}

export function tableEnvironment(table: Table) {
  return { DOCTOWN_TABLE: table.tableName };
}
