/**
 * Repository settings (REPO#owner/name, SETTINGS): whether pushes rebuild automatically, on which
 * branches, and for which Doctown user. Plain CRUD; the webhook handler builds on it.
 */
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { GitRef, parseRepo } from "./jobRef";
import { BadRequest } from "./errors";
import { services } from "./services";

export type RepoSettings = {
  repo: string;
  autoBuild: boolean;
  branches: string[];
  ownerUserId: string;
  updatedAt: string;
};

export const RepoSettingsInput = z.object({
  autoBuild: z.boolean(),
  branches: z.array(GitRef).max(20).default([]),
  ownerUserId: z.string().min(1).max(64),
});
export type RepoSettingsInput = z.input<typeof RepoSettingsInput>;

const settingsKey = (fullName: string) => ({ pk: `REPO#${fullName.toLowerCase()}`, sk: "SETTINGS" });

function githubFullName(repo: string): string {
  const parsed = parseRepo(repo);
  if (parsed.kind !== "github") throw new BadRequest("invalid_repo", "Repository settings exist only for GitHub repositories.");
  return parsed.fullName;
}

export async function getRepoSettings(repo: string): Promise<RepoSettings | null> {
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: settingsKey(githubFullName(repo)) }));
  if (!Item) return null;
  return {
    repo: Item.repo as string,
    autoBuild: Boolean(Item.autoBuild),
    branches: (Item.branches as string[]) ?? [],
    ownerUserId: Item.ownerUserId as string,
    updatedAt: Item.updatedAt as string,
  };
}

export async function putRepoSettings(repo: string, input: RepoSettingsInput): Promise<RepoSettings> {
  const fullName = githubFullName(repo);
  const fields = RepoSettingsInput.parse(input);
  const { db, tableName, clock } = services();
  const settings: RepoSettings = { repo: fullName, ...fields, branches: [...new Set(fields.branches)], updatedAt: clock.now().toISOString() };
  await db.send(new PutCommand({ TableName: tableName, Item: { ...settingsKey(fullName), entity: "repoSettings", ...settings } }));
  return settings;
}

export async function deleteRepoSettings(repo: string): Promise<void> {
  const { db, tableName } = services();
  await db.send(new DeleteCommand({ TableName: tableName, Key: settingsKey(githubFullName(repo)) }));
}
