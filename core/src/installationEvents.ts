/**
 * The app's `installation` and `installation_repositories` webhook events (signed, already
 * deduplicated by githubWebhook.ts) turned into installation records: installed, uninstalled,
 * suspended, repositories added or removed. Removing the app or a repository stops its push builds.
 */
import * as z from "zod";
import { BadRequest } from "./errors";
import {
  addInstallationRepos,
  deleteInstallation,
  InstallationId,
  InstallationRepo,
  recordInstallation,
  removeInstallationRepos,
  setInstallationSuspended,
} from "./installation";

const MAX_REPOS = 10_000;

const InstallationPayload = z.object({
  id: InstallationId,
  account: z.object({ login: z.string().max(100) }).nullish(),
  repository_selection: z.enum(["all", "selected"]).optional(),
  suspended_at: z.string().nullish(),
});

export const InstallationEvent = z.object({
  action: z.string().max(64),
  installation: InstallationPayload,
  repositories: z.array(InstallationRepo).max(MAX_REPOS).nullish(),
});
export const InstallationRepositoriesEvent = z.object({
  action: z.string().max(64),
  installation: InstallationPayload,
  repository_selection: z.enum(["all", "selected"]).optional(),
  repositories_added: z.array(InstallationRepo).max(MAX_REPOS).default([]),
  repositories_removed: z.array(InstallationRepo.pick({ full_name: true })).max(MAX_REPOS).default([]),
});
export type InstallationEvent = z.infer<typeof InstallationEvent>;
export type InstallationRepositoriesEvent = z.infer<typeof InstallationRepositoriesEvent>;

export type ParsedInstallationEvent =
  | { event: "installation"; payload: InstallationEvent }
  | { event: "installation_repositories"; payload: InstallationRepositoriesEvent };

/** Validates an installation event's body (400, nothing written, when it is not one). */
export function parseInstallationEvent(event: "installation" | "installation_repositories", body: unknown): ParsedInstallationEvent {
  const schema = event === "installation" ? InstallationEvent : InstallationRepositoriesEvent;
  const result = schema.safeParse(body);
  if (!result.success) throw new BadRequest("invalid_payload", `The ${event} event payload lacks action or installation.id.`);
  return { event, payload: result.data } as ParsedInstallationEvent;
}

export type InstallationOutcome = { result: "installation_updated"; action: string } | { result: "ignored"; reason: "unsupported_action" };

export async function applyInstallationEvent(parsed: ParsedInstallationEvent): Promise<InstallationOutcome> {
  const { installation, action } = parsed.payload;
  const base = {
    id: installation.id,
    account: installation.account?.login ?? null,
    repositorySelection: installation.repository_selection ?? "selected",
    suspended: Boolean(installation.suspended_at),
  } as const;
  if (parsed.event === "installation") {
    switch (action) {
      case "created":
      case "new_permissions_accepted":
        await recordInstallation(base, parsed.payload.repositories ?? []);
        break;
      case "deleted":
        await deleteInstallation(installation.id);
        break;
      case "suspend":
      case "unsuspend":
        await setInstallationSuspended(installation.id, action === "suspend");
        break;
      default:
        return { result: "ignored", reason: "unsupported_action" };
    }
    return { result: "installation_updated", action };
  }
  const { repositories_added: added, repositories_removed: removed, repository_selection } = parsed.payload;
  if (action !== "added" && action !== "removed") return { result: "ignored", reason: "unsupported_action" };
  // The event may be the first Doctown hears of the installation: record it, then the change.
  await recordInstallation({ ...base, repositorySelection: repository_selection ?? base.repositorySelection }, []);
  await addInstallationRepos(installation.id, added);
  await removeInstallationRepos(installation.id, removed);
  return { result: "installation_updated", action };
}
