/**
 * Docpack: the record of a finished build's ZIP in storage. Its id is the job's id, so recording
 * it twice (a repeated complete callback) is the same record. Public ones are in the gsi2 feed.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { BuildStats } from "./buildStats";
import { NotFound } from "./errors";
import { SHA256_PATTERN } from "./patterns";
import { decodeCursor, encodeCursor, type Page } from "./pagination";
import { services } from "./services";
import { isConditionFailure } from "./conditionalWrite";

export type Docpack = {
  id: string;
  jobId: string;
  userId: string;
  repo: string;
  gitRef: string;
  commit: string;
  objectKey: string;
  size: number;
  sha256: string;
  public: boolean;
  /** What the build found (null for builders that did not report it). */
  stats: BuildStats | null;
  createdAt: string;
};

export const docpackKey = (docpackId: string) => ({ pk: `DOCPACK#${docpackId}`, sk: "DOCPACK" });
const PUBLIC_FEED = "PUBLIC";
const DocpackId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);

export const NewDocpack = z.object({
  jobId: z.string().min(1),
  userId: z.string().min(1),
  repo: z.string().min(1),
  gitRef: z.string().min(1),
  commit: z.string().min(1),
  objectKey: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(SHA256_PATTERN),
  public: z.boolean(),
  stats: BuildStats.nullable().default(null),
});
export type NewDocpack = z.input<typeof NewDocpack>;

/** Records a docpack (id = job id). Idempotent: an existing record is returned unchanged. */
export async function recordDocpack(input: NewDocpack): Promise<Docpack> {
  const fields = NewDocpack.parse(input);
  const { db, tableName, clock } = services();
  const docpack: Docpack = { id: fields.jobId, ...fields, createdAt: clock.now().toISOString() };
  const sortKey = `DOCPACK#${docpack.createdAt}#${docpack.id}`;
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...docpackKey(docpack.id),
          entity: "docpack",
          gsi1pk: `USER#${docpack.userId}`,
          gsi1sk: sortKey,
          ...(docpack.public ? { gsi2pk: PUBLIC_FEED, gsi2sk: sortKey } : {}),
          ...docpack,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return docpack;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return (await findDocpack(docpack.id))!;
  }
}

/** Removes a record (used only to undo one whose job could not be completed). */
export async function deleteDocpackRecord(docpackId: string): Promise<void> {
  const { db, tableName } = services();
  await db.send(new DeleteCommand({ TableName: tableName, Key: docpackKey(docpackId) }));
}

export async function findDocpack(docpackId: string): Promise<Docpack | null> {
  if (!DocpackId.safeParse(docpackId).success) return null;
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: docpackKey(docpackId), ConsistentRead: true }));
  return Item ? toDocpack(Item) : null;
}

/** A docpack this viewer may see: public ones for anyone, private ones only for the owner (else 404). */
export async function getVisibleDocpack(docpackId: string, viewerUserId: string | undefined): Promise<Docpack> {
  const docpack = await findDocpack(docpackId);
  if (!docpack || (!docpack.public && docpack.userId !== viewerUserId)) throw new NotFound("docpack_not_found", "Docpack not found.");
  return docpack;
}

export async function listDocpacksForUser(userId: string, options: { limit: number; cursor?: string | null }): Promise<Page<Docpack>> {
  return queryIndex("gsi1", "gsi1pk", `USER#${userId}`, "gsi1sk", options);
}

/** The commons: every public docpack, newest first. */
export async function listPublicDocpacks(options: { limit: number; cursor?: string | null }): Promise<Page<Docpack>> {
  return queryIndex("gsi2", "gsi2pk", PUBLIC_FEED, "gsi2sk", options);
}

/** Makes the owner's docpack public or private; someone else's is a 404. */
export async function setDocpackVisibility(docpackId: string, userId: string, isPublic: boolean): Promise<Docpack> {
  const docpack = await findDocpack(docpackId);
  if (!docpack || docpack.userId !== userId) throw new NotFound("docpack_not_found", "Docpack not found.");
  const { db, tableName } = services();
  const sortKey = `DOCPACK#${docpack.createdAt}#${docpack.id}`;
  const result = await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: docpackKey(docpackId),
      UpdateExpression: isPublic ? "SET #public = :true, gsi2pk = :feed, gsi2sk = :sk" : "SET #public = :false REMOVE gsi2pk, gsi2sk",
      ConditionExpression: "attribute_exists(pk) AND userId = :userId",
      ExpressionAttributeNames: { "#public": "public" },
      ExpressionAttributeValues: isPublic ? { ":true": true, ":feed": PUBLIC_FEED, ":sk": sortKey, ":userId": userId } : { ":false": false, ":userId": userId },
      ReturnValues: "ALL_NEW",
    }),
  );
  return toDocpack(result.Attributes!);
}

async function queryIndex(
  index: "gsi1" | "gsi2",
  partitionAttribute: string,
  partition: string,
  sortAttribute: string,
  options: { limit: number; cursor?: string | null },
): Promise<Page<Docpack>> {
  const { db, tableName } = services();
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index,
      KeyConditionExpression: `${partitionAttribute} = :pk AND begins_with(${sortAttribute}, :prefix)`,
      ExpressionAttributeValues: { ":pk": partition, ":prefix": "DOCPACK#" },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, { index, partition, sortPrefix: "DOCPACK#" }),
    }),
  );
  return { items: (result.Items ?? []).map(toDocpack), nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

function toDocpack(item: Record<string, unknown>): Docpack {
  return {
    id: item.id as string,
    jobId: item.jobId as string,
    userId: item.userId as string,
    repo: item.repo as string,
    gitRef: item.gitRef as string,
    commit: item.commit as string,
    objectKey: item.objectKey as string,
    size: Number(item.size),
    sha256: item.sha256 as string,
    public: Boolean(item.public),
    stats: (item.stats as BuildStats | undefined) ?? null,
    createdAt: item.createdAt as string,
  };
}
