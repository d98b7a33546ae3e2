/** Reads the test table directly, so tests can assert what was (or was not) written. */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { services } from "../../src/services";

/** Every item whose `entity` is this (job, docpack, repoSettings), or all items. */
export async function scanItems(entity?: string): Promise<Record<string, unknown>[]> {
  const { db, tableName } = services();
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        ExclusiveStartKey: startKey,
        ...(entity ? { FilterExpression: "entity = :entity", ExpressionAttributeValues: { ":entity": entity } } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
