import { ArnFormat, Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
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

/** The sweeper looks for jobs in flight with a filtered scan. */
export function tableScan(table: Table) {
  return new PolicyStatement({ actions: ["dynamodb:Scan"], resources: [table.tableArn] });
}

/** Task-token callbacks, scoped to the one state machine (its ARN) whose tasks they answer. */
export function taskCallbacks(stateMachineArn: string, ...actions: ("SendTaskSuccess" | "SendTaskFailure" | "SendTaskHeartbeat")[]) {
  return new PolicyStatement({ actions: actions.map((a) => `states:${a}`), resources: [stateMachineArn] });
}

export function tableEnvironment(table: Table) {
  return { DOCTOWN_TABLE: table.tableName };
}

/** The SSM name of the site's URL, in SST's parameter layout (core/src/config.ts reads it). */
export function siteUrlParameterName(app: { name: string; stage: string }) {
  return `/sst/${app.name}/${app.stage}/Parameter/SITE_URL/value`;
}

/** Reading the site URL parameter: by name, so the API needs no reference to the Web stack. */
export function siteUrlParameterRead(scope: Construct, app: { name: string; stage: string }) {
  const arn = Stack.of(scope).formatArn({
    service: "ssm",
    resource: "parameter",
    resourceName: siteUrlParameterName(app).slice(1),
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  return new PolicyStatement({ actions: ["ssm:GetParameters"], resources: [arn] });
}
