/**
 * GitHub App installations as Doctown knows them, from `installation` / `installation_repositories`
 * webhook events and verified setup redirects:
 *   INSTALLATION#<id> / INSTALLATION        account, repository selection, suspended, deleted (a tombstone:
 *                                           a late event for a removed installation brings nothing back)
 *   INSTALLATION#<id> / REPO#<owner/name>   one repository of it (lets an uninstall find them all)
 *   REPO#<owner/name> / INSTALLATION        which installation reaches the repository (push builds,
 *                                           build tokens); beside the repository's SETTINGS item
 * A repository counts as installed only while both its link and a live installation item exist.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { parseRepo } from "./jobRef";
import { services } from "./services";
import { conditionalWrite } from "./conditionalWrite";

export const InstallationId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A repository as installation events and the installation APIs name it. */
export const InstallationRepo = z.object({
  id: z.number().int().optional(),
  full_name: z.string().min(3).max(200),
  private: z.boolean().optional(),
});
export type InstallationRepo = z.infer<typeof InstallationRepo>;

export type Installation = {
  id: number;
  account: string | null;
  repositorySelection: "all" | "selected";
  suspended: boolean;
  deleted: boolean;
  updatedAt: string;
};

const installationKey = (id: number) => ({ pk: `INSTALLATION#${id}`, sk: "INSTALLATION" });
const memberKey = (id: number, fullName: string) => ({ pk: `INSTALLATION#${id}`, sk: `REPO#${fullName.toLowerCase()}` });
const repoLinkKey = (fullName: string) => ({ pk: `REPO#${fullName.toLowerCase()}`, sk: "INSTALLATION" });

/** The canonical owner/name, or null for a name Doctown does not build. */
function githubName(fullName: string): string | null {
  try {
    const repo = parseRepo(fullName);
    return repo.kind === "github" ? repo.fullName : null;
  } catch {
    return null;
  }
}

export async function findInstallation(id: number): Promise<Installation | null> {
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: installationKey(id) }));
  if (!Item) return null;
  return {
    id,
    account: (Item.account as string | null) ?? null,
    repositorySelection: Item.repositorySelection === "all" ? "all" : "selected",
    suspended: Boolean(Item.suspended),
    deleted: Boolean(Item.deleted),
    updatedAt: Item.updatedAt as string,
  };
}

/**
 * Records (or refreshes) an installation and adds the given repositories to it. A removed
 * installation stays removed: returns false and records nothing.
 */
export async function recordInstallation(
  installation: { id: number; account: string | null; repositorySelection: "all" | "selected"; suspended?: boolean },
  repos: InstallationRepo[],
): Promise<boolean> {
  const id = InstallationId.parse(installation.id);
  const { db, tableName, clock } = services();
  const recorded = await conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: installationKey(id),
        UpdateExpression: "SET entity = :entity, installationId = :id, account = :account, repositorySelection = :selection, suspended = :suspended, updatedAt = :now",
        ConditionExpression: "attribute_not_exists(deleted) OR deleted = :false",
        ExpressionAttributeValues: {
          ":entity": "installation",
          ":id": id,
          ":account": installation.account,
          ":selection": installation.repositorySelection,
          ":suspended": installation.suspended ?? false,
          ":now": clock.now().toISOString(),
          ":false": false,
        },
      }),
    ),
  );
  if (!recorded) return false;
  await addInstallationRepos(id, repos);
  return true;
}

/** Links repositories to a live installation (a no-op for a removed or unknown one). */
export async function addInstallationRepos(id: number, repos: InstallationRepo[]): Promise<void> {
  const installation = await findInstallation(id);
  if (!installation || installation.deleted) return;
  const { db, tableName, clock } = services();
  const now = clock.now().toISOString();
  for (const repo of repos) {
    const fullName = githubName(repo.full_name);
    if (!fullName) continue;
    const fields = { installationId: id, repo: fullName, repoId: repo.id ?? null, private: repo.private ?? null, updatedAt: now };
    await db.send(new PutCommand({ TableName: tableName, Item: { ...memberKey(id, fullName), entity: "installationRepo", ...fields } }));
    await db.send(new PutCommand({ TableName: tableName, Item: { ...repoLinkKey(fullName), entity: "repoInstallation", ...fields } }));
  }
}

/** Unlinks repositories from an installation; a link another installation owns is left alone. */
export async function removeInstallationRepos(id: number, repos: { full_name: string }[]): Promise<void> {
  const { db, tableName } = services();
  for (const repo of repos) {
    const fullName = githubName(repo.full_name);
    if (!fullName) continue;
    await db.send(new DeleteCommand({ TableName: tableName, Key: memberKey(id, fullName) }));
    // The link may belong to another installation by now: only ours goes.
    await conditionalWrite(
      db.send(
        new DeleteCommand({
          TableName: tableName,
          Key: repoLinkKey(fullName),
          ConditionExpression: "installationId = :id",
          ExpressionAttributeValues: { ":id": id },
        }),
      ),
    );
  }
}

/** The app was uninstalled: every repository link goes, the installation becomes a tombstone. */
export async function deleteInstallation(id: number): Promise<void> {
  const { db, tableName, clock } = services();
  // Tombstone first, so a concurrent `installation_repositories` event cannot add links after the sweep.
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: installationKey(id),
      UpdateExpression: "SET entity = :entity, installationId = :id, deleted = :true, updatedAt = :now",
      ExpressionAttributeValues: { ":entity": "installation", ":id": id, ":true": true, ":now": clock.now().toISOString() },
    }),
  );
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :repo)",
        ExpressionAttributeValues: { ":pk": `INSTALLATION#${id}`, ":repo": "REPO#" },
        ExclusiveStartKey: startKey,
      }),
    );
    await removeInstallationRepos(id, (page.Items ?? []).map((item) => ({ full_name: item.repo as string })));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export async function setInstallationSuspended(id: number, suspended: boolean): Promise<void> {
  const { db, tableName, clock } = services();
  // An installation never recorded stays unrecorded.
  await conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: installationKey(id),
        UpdateExpression: "SET suspended = :suspended, updatedAt = :now",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":suspended": suspended, ":now": clock.now().toISOString() },
      }),
    ),
  );
}

/** The live (not removed, not suspended) installation that reaches the repository, or null. */
export async function findRepoInstallation(fullName: string): Promise<{ installationId: number } | null> {
  const name = githubName(fullName);
  if (!name) return null;
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: repoLinkKey(name) }));
  if (!Item) return null;
  const installationId = Number(Item.installationId);
  const installation = await findInstallation(installationId);
  if (!installation || installation.deleted || installation.suspended) return null;
  return { installationId };
}
