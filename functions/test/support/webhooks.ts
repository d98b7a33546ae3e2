/**
 * Plays GitHub's part in webhook tests: builds push payloads of the documented shape, signs them
 * with X-Hub-Signature-256 (@octokit/webhooks-methods sign) and delivers them over the real handler.
 */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { callApi } from "./api";

export const WEBHOOK_SECRET = "test-webhook-secret-9f2c";
/** The app installation the tests' pushes come from (recorded with `install`). */
export const TEST_INSTALLATION_ID = 9001;
const ZERO = "0".repeat(40);

/** A distinct 40-hex commit per number. */
export const sha = (n: number) => n.toString(16).padStart(40, "c");

let pushedAtClock = 1_790_000_000;
/** A fresh push timestamp (seconds), later than every one handed out before. */
export const nextPushedAt = () => (pushedAtClock += 10);

export type PushOptions = {
  repo?: string;
  ref?: string;
  before?: string;
  after: string;
  deleted?: boolean;
  defaultBranch?: string;
  pushedAt?: number;
  /** The installation the delivery names; null: none (a repository webhook, not the app's). */
  installationId?: number | null;
};

/** A push event payload (https://docs.github.com/webhooks/webhook-events-and-payloads#push). */
export function pushPayload(options: PushOptions) {
  const repo = options.repo ?? "alice/project";
  const [owner, name] = repo.split("/");
  const deleted = options.deleted ?? false;
  return {
    ref: options.ref ?? "refs/heads/main",
    before: options.before ?? ZERO,
    after: options.after,
    created: options.before === undefined,
    deleted,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${repo}/compare/${(options.before ?? ZERO).slice(0, 12)}...${options.after.slice(0, 12)}`,
    commits: deleted ? [] : [{ id: options.after, message: "change", timestamp: "2026-11-23T21:00:00Z", added: [], removed: [], modified: ["README.md"] }],
    head_commit: deleted ? null : { id: options.after, message: "change", timestamp: "2026-11-23T21:00:00Z" },
    repository: {
      id: 4242,
      name,
      full_name: repo,
      private: false,
      owner: { name: owner, login: owner },
      default_branch: options.defaultBranch ?? "main",
      master_branch: options.defaultBranch ?? "main",
      created_at: 1_700_000_000,
      pushed_at: options.pushedAt ?? nextPushedAt(),
    },
    pusher: { name: owner, email: `${owner}@example.com` },
    sender: { login: owner, id: 1 },
    ...(options.installationId === null ? {} : { installation: { id: options.installationId ?? TEST_INSTALLATION_ID, node_id: "MDIz" } }),
  };
}

/** An `installation` or `installation_repositories` event payload (documented shape) for TEST_INSTALLATION_ID. */
export function installationPayload(event: "installation" | "installation_repositories", action: string, repos: string[], id = TEST_INSTALLATION_ID) {
  const listed = repos.map((repo, i) => ({ id: 7000 + i, node_id: `R_${i}`, name: repo.split("/")[1], full_name: repo, private: false }));
  const installation = { id, account: { login: repos[0]?.split("/")[0] ?? "alice", id: 1, type: "User" }, repository_selection: "selected", app_id: 1, suspended_at: null };
  const sender = { login: "alice", id: 1 };
  if (event === "installation") return { action, installation, repositories: listed, sender };
  return {
    action,
    installation,
    repository_selection: "selected",
    repositories_added: action === "added" ? listed : [],
    repositories_removed: action === "removed" ? listed : [],
    sender,
  };
}

/** Installs the app on these repositories the way GitHub reports it: a signed `installation` event. */
export async function install(repos: string[], id = TEST_INSTALLATION_ID) {
  const response = await deliver("installation", installationPayload("installation", "created", repos, id));
  if (response.status !== 202) throw new Error(`installation event answered ${response.status}: ${response.body}`);
}

export type DeliverOptions = {
  deliveryId?: string;
  secret?: string;
  /** Sign this text instead of the body (a tampered body keeps the original's signature). */
  signedText?: string;
  /** Replace or drop (empty string) headers GitHub would send. */
  headers?: Record<string, string>;
  base64?: boolean;
};

/** Delivers an event the way GitHub does: JSON body, signature, event and delivery headers, no Origin. */
export async function deliver(event: string, payload: unknown, options: DeliverOptions = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const signature = await sign(options.secret ?? WEBHOOK_SECRET, options.signedText ?? body);
  const response = await callApi("POST", "/api/github/webhook", {
    body: options.base64 ? Buffer.from(body, "utf8").toString("base64") : body,
    isBase64Encoded: options.base64,
    headers: {
      origin: "",
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/7c9a1e2",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": "123456",
      "x-hub-signature-256": signature,
      ...options.headers,
    },
  });
  return Object.assign(response, { deliveryId });
}
