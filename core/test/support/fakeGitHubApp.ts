/**
 * GitHub, as a GitHub App sees it, on https://127.0.0.1 (selfSignedCert.ts; callers trust
 * `caFile`/`ca`). It speaks the documented endpoints:
 *   web   GET /login/oauth/authorize (approves as the signed-in browser user), POST /login/oauth/access_token
 *         (authorization_code and refresh_token grants, expiring user tokens, single-use refresh tokens),
 *         GET /apps/<slug>/installations/new, POST /settings/apps/new (the App Manifest form)
 *   api   under /api/v3 (GitHub Enterprise Server's layout): GET /user, /user/installations,
 *         /user/installations/{id}/repositories, /repos/{owner}/{repo}, /repos/{owner}/{repo}/commits/{ref},
 *         POST /app/installations/{id}/access_tokens and GET /repos/{owner}/{repo}/installation (both check
 *         the RS256 app JWT against the app's key),
 *         POST /app-manifests/{code}/conversions
 *   git   smart HTTP through `git http-backend`: /{owner}/{repo}.git/…, private repositories only with
 *         an installation token that covers them (Basic x-access-token:<token>), as GitHub does.
 * Users are known by their tokens; repositories are real bare git repositories.
 */
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, randomBytes, verify as verifySignature } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selfSignedCert } from "./selfSignedCert";
import { serveGitHttpBackend } from "@doctown/testing/gitHttpBackend";

export type StandInUser = { id: number; login: string };
export type StandInRepo = { id: number; owner: string; name: string; private: boolean; gitDir: string; collaborators: string[] };
export type StandInInstallation = { id: number; account: string; repos: string[]; suspended: boolean; selection: "all" | "selected" };
export type IssuedInstallationToken = { token: string; installationId: number; repositories: string[]; permissions: Record<string, string>; expiresAt: Date };
export type GitRequest = { repo: string; auth: "anonymous" | "installation" | "refused"; token?: string };
export type RegisteredApp = { id: number; slug: string; clientId: string; clientSecret: string; webhookSecret: string; privateKey: string; manifest: Record<string, unknown> };

export type GitHubAppStandIn = {
  url: string;
  apiUrl: string;
  caFile: string;
  ca: string;
  app: { id: number; slug: string; clientId: string; clientSecret: string; webhookSecret: string; privateKey: string };
  users: StandInUser[];
  repos: StandInRepo[];
  installations: StandInInstallation[];
  installationTokens: IssuedInstallationToken[];
  /** User access tokens issued so far (login → tokens), for tests that check where they went. */
  userTokens: { token: string; login: string; expiresAt: Date; revoked: boolean }[];
  gitRequests: GitRequest[];
  /** Every request line (method and path), in order. */
  requests: { method: string; path: string; authorization?: string }[];
  /** Forgets every refresh token (as when GitHub revokes the authorization). */
  revokeRefreshTokens(): void;
  /** The browser user who approves the next authorization. */
  signInAs(login: string): void;
  addUser(user: StandInUser): void;
  /**
   * A bare copy of a working repository (its branches), served at /{owner}/{name}.git; copied when
   * git first reads it (commit to `source` only through updateRepo, as a push would).
   */
  addRepo(repo: { owner: string; name: string; private?: boolean; source: string; collaborators?: string[] }): StandInRepo;
  /** Fetches the working repository's branches into the served copy again (a push). */
  updateRepo(owner: string, name: string, source: string): void;
  install(account: string, repoNames: string[]): StandInInstallation;
  uninstall(id: number): void;
  /** App registrations made through the manifest flow. */
  registeredApps: RegisteredApp[];
  close(): Promise<void>;
};

const USER_TOKEN_SECONDS_DEFAULT = 8 * 3600;

export async function startGitHubAppStandIn(options: { userTokenSeconds?: number } = {}): Promise<GitHubAppStandIn> {
  const dir = mkdtempSync(join(tmpdir(), "doctown-github-"));
  const gitRoot = join(dir, "git");
  mkdirSync(gitRoot);
  const tls = selfSignedCert();
  const ca = tls.cert;
  // for git and child processes (GIT_SSL_CAINFO, NODE_EXTRA_CA_CERTS); removed with `dir` on close
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, ca);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const app = {
    id: 424242,
    slug: "doctown-test",
    clientId: "Iv1.standinclient",
    clientSecret: randomBytes(20).toString("hex"),
    webhookSecret: randomBytes(20).toString("hex"),
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
  const appKeys = new Map<number, ReturnType<typeof createPublicKey>>([[app.id, publicKey]]);
  const userTokenSeconds = options.userTokenSeconds ?? USER_TOKEN_SECONDS_DEFAULT;

  const users: StandInUser[] = [];
  const repos: StandInRepo[] = [];
  const installations: StandInInstallation[] = [];
  const installationTokens: IssuedInstallationToken[] = [];
  const userTokens: GitHubAppStandIn["userTokens"] = [];
  const refreshTokens = new Map<string, string>(); // refresh token → login
  const codes = new Map<string, { login: string; redirectUri: string }>();
  const manifestCodes = new Map<string, Record<string, unknown>>();
  const registeredApps: RegisteredApp[] = [];
  const gitRequests: GitRequest[] = [];
  const requests: GitHubAppStandIn["requests"] = [];
  let browserUser: string | undefined;
  let nextInstallationId = 7001;
  let baseUrl = "";

  const uncloned = new Map<StandInRepo, string>();
  /** The repository with its bare git directory made (from the source it was added with). */
  const cloned = (repo: StandInRepo): StandInRepo => {
    const source = uncloned.get(repo);
    if (source !== undefined) {
      execFileSync("git", ["clone", "-q", "--bare", "--", source, repo.gitDir], { stdio: "ignore" });
      uncloned.delete(repo);
    }
    return repo;
  };
  const token = (prefix: string) => `${prefix}_${randomBytes(18).toString("base64url")}`;
  const fullName = (repo: StandInRepo) => `${repo.owner}/${repo.name}`;
  const findRepo = (owner: string, name: string) => repos.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  const liveUser = (authorization: string | undefined): StandInUser | null | undefined => {
    const value = /^(?:Bearer|token) (.+)$/.exec(authorization ?? "")?.[1];
    if (value === undefined) return undefined;
    const issued = userTokens.find((t) => t.token === value);
    if (!issued || issued.revoked || issued.expiresAt.getTime() <= Date.now()) return null;
    return users.find((u) => u.login === issued.login) ?? null;
  };
  const userCanRead = (repo: StandInRepo, login: string) => !repo.private || repo.owner === login || repo.collaborators.includes(login);
  const userInstallations = (login: string) =>
    installations.filter((i) => i.account === login || i.repos.some((name) => userCanRead(findRepo(i.account, name)!, login) && findRepo(i.account, name)!.collaborators.includes(login)));
  const installationReaches = (installation: StandInInstallation, repo: StandInRepo) =>
    installation.account.toLowerCase() === repo.owner.toLowerCase() && installation.repos.some((n) => n.toLowerCase() === repo.name.toLowerCase());
  const repoPayload = (repo: StandInRepo, login?: string) => ({
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: fullName(repo),
    private: repo.private,
    owner: { login: repo.owner, id: 900 + repo.id, type: "User" },
    html_url: `${baseUrl}/${fullName(repo)}`,
    description: null,
    default_branch: "main",
    pushed_at: "2026-11-01T00:00:00Z",
    ...(login ? { permissions: { admin: repo.owner === login, maintain: repo.owner === login, push: repo.owner === login || repo.collaborators.includes(login), triage: true, pull: true } } : {}),
  });
  const installationPayload = (i: StandInInstallation) => ({
    id: i.id,
    account: { login: i.account, id: users.find((u) => u.login === i.account)?.id ?? 1, type: "User" },
    repository_selection: i.selection,
    app_id: app.id,
    app_slug: app.slug,
    target_type: "User",
    permissions: { contents: "read", metadata: "read" },
    events: ["push"],
    suspended_at: i.suspended ? "2026-11-01T00:00:00Z" : null,
  });

  /** RS256 JWT as GitHub checks it: signature by the app's key, iss = app id, at most 10 minutes, not expired. */
  function appFromJwt(authorization: string | undefined): number | null {
    const jwt = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? "");
    if (!jwt) return null;
    try {
      const header = JSON.parse(Buffer.from(jwt[1], "base64url").toString());
      const claims = JSON.parse(Buffer.from(jwt[2], "base64url").toString());
      if (header.alg !== "RS256") return null;
      const key = appKeys.get(Number(claims.iss));
      if (!key) return null;
      if (!verifySignature("RSA-SHA256", Buffer.from(`${jwt[1]}.${jwt[2]}`), key, Buffer.from(jwt[3], "base64url"))) return null;
      const now = Math.floor(Date.now() / 1000);
      if (!(claims.exp > now) || claims.exp - claims.iat > 660 || claims.iat > now + 60) return null;
      return Number(claims.iss);
    } catch {
      return null;
    }
  }

  type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

  async function api(method: string, path: string, query: URLSearchParams, headers: IncomingMessage["headers"], body: string): Promise<Answer> {
    const notFound = { status: 404, body: { message: "Not Found" } };
    const installationTokenMatch = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (method === "POST" && installationTokenMatch) {
      const appId = appFromJwt(headers.authorization);
      if (appId === null) return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      const installation = installations.find((i) => i.id === Number(installationTokenMatch[1]));
      if (!installation || appId !== app.id) return notFound;
      if (installation.suspended) return { status: 403, body: { message: "This installation has been suspended" } };
      const request = body ? JSON.parse(body) : {};
      const names: string[] = request.repositories ?? installation.repos;
      if (names.some((name) => !installation.repos.some((n) => n.toLowerCase() === name.toLowerCase())))
        return { status: 422, body: { message: "There is at least one repository that does not exist or is not accessible to the parent installation." } };
      const permissions: Record<string, string> = request.permissions ?? { contents: "read", metadata: "read" };
      if (Object.entries(permissions).some(([name, level]) => !["contents", "metadata"].includes(name) || level !== "read"))
        return { status: 422, body: { message: "The permissions requested are not granted to this installation." } };
      const issued = { token: token("ghs"), installationId: installation.id, repositories: names, permissions, expiresAt: new Date(Date.now() + 3600_000) };
      installationTokens.push(issued);
      return { status: 201, body: { token: issued.token, expires_at: issued.expiresAt.toISOString(), permissions, repository_selection: "selected" } };
    }
    const conversion = /^\/app-manifests\/([\w-]+)\/conversions$/.exec(path);
    if (method === "POST" && conversion) {
      const manifest = manifestCodes.get(conversion[1]);
      if (!manifest) return notFound;
      manifestCodes.delete(conversion[1]); // codes are single use (and expire within the hour)
      const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const registered: RegisteredApp = {
        id: 500_000 + registeredApps.length,
        slug: String(manifest.name ?? "app").toLowerCase().replace(/[^a-z0-9]+/g, "-"),
        clientId: `Iv1.${randomBytes(8).toString("hex")}`,
        clientSecret: randomBytes(20).toString("hex"),
        webhookSecret: String((manifest.hook_attributes as { secret?: string } | undefined)?.secret ?? randomBytes(20).toString("hex")),
        privateKey: keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        manifest,
      };
      registeredApps.push(registered);
      appKeys.set(registered.id, keys.publicKey);
      return {
        status: 201,
        body: {
          id: registered.id,
          slug: registered.slug,
          name: manifest.name,
          client_id: registered.clientId,
          client_secret: registered.clientSecret,
          webhook_secret: registered.webhookSecret,
          pem: registered.privateKey,
          html_url: `${baseUrl}/apps/${registered.slug}`,
          owner: { login: "octo-org" },
        },
      };
    }
    if (method !== "GET") return notFound;
    const appInstallation = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
    if (appInstallation) {
      if (appFromJwt(headers.authorization) !== app.id) return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      const repo = findRepo(decodeURIComponent(appInstallation[1]), decodeURIComponent(appInstallation[2]));
      const installation = repo && installations.find((i) => installationReaches(i, repo));
      return installation ? { status: 200, body: installationPayload(installation) } : notFound;
    }
    const user = liveUser(headers.authorization);
    if (user === null) return { status: 401, body: { message: "Bad credentials" } };
    if (path === "/user") return user ? { status: 200, body: { login: user.login, id: user.id, name: user.login, avatar_url: null, type: "User" } } : { status: 401, body: { message: "Requires authentication" } };
    if (path === "/user/installations") {
      if (!user) return { status: 401, body: { message: "Requires authentication" } };
      const list = userInstallations(user.login);
      return { status: 200, body: { total_count: list.length, installations: list.map(installationPayload) } };
    }
    const installationRepos = /^\/user\/installations\/(\d+)\/repositories$/.exec(path);
    if (installationRepos) {
      if (!user) return { status: 401, body: { message: "Requires authentication" } };
      const installation = userInstallations(user.login).find((i) => i.id === Number(installationRepos[1]));
      if (!installation) return notFound;
      const list = repos.filter((repo) => installationReaches(installation, repo) && userCanRead(repo, user.login));
      return { status: 200, body: { total_count: list.length, repositories: list.map((repo) => repoPayload(repo, user.login)) } };
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(?:\/commits\/(.+))?$/.exec(path);
    if (repoMatch) {
      const repo = findRepo(decodeURIComponent(repoMatch[1]), decodeURIComponent(repoMatch[2]));
      if (!repo) return notFound;
      // A user token of an app reaches private repositories only through the app's installations.
      const reachable = !repo.private || (user && userCanRead(repo, user.login) && installations.some((i) => installationReaches(i, repo)));
      if (!reachable) return notFound;
      if (repoMatch[3] === undefined) return { status: 200, body: repoPayload(repo, user?.login) };
      const ref = decodeURIComponent(repoMatch[3]);
      try {
        const sha = execFileSync("git", ["--git-dir", cloned(repo).gitDir, "rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        return { status: 200, body: { sha } };
      } catch {
        return { status: 422, body: { message: `No commit found for SHA: ${ref}` } };
      }
    }
    return notFound;
  }

  function web(method: string, path: string, query: URLSearchParams, headers: IncomingMessage["headers"], body: string): Answer {
    if (method === "GET" && path === "/login/oauth/authorize") {
      if (query.get("client_id") !== app.clientId) return { status: 404, body: "unknown client" };
      const redirectUri = query.get("redirect_uri") ?? "";
      if (!browserUser) return { status: 200, body: "sign in to GitHub first" };
      const code = token("code");
      codes.set(code, { login: browserUser, redirectUri });
      const target = new URL(redirectUri);
      target.searchParams.set("code", code);
      target.searchParams.set("state", query.get("state") ?? "");
      return { status: 302, headers: { location: target.href } };
    }
    if (method === "POST" && path === "/login/oauth/access_token") {
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/.exec(headers.authorization ?? "")?.[1];
      const [clientId, clientSecret] = basic ? Buffer.from(basic, "base64").toString().split(":") : [form.get("client_id"), form.get("client_secret")];
      if (clientId !== app.clientId || clientSecret !== app.clientSecret) return { status: 200, body: { error: "incorrect_client_credentials" } };
      let login: string | undefined;
      if (form.get("grant_type") === "refresh_token") {
        login = refreshTokens.get(form.get("refresh_token") ?? "");
        if (!login) return { status: 200, body: { error: "bad_refresh_token", error_description: "The refresh token passed is incorrect or expired." } };
        refreshTokens.delete(form.get("refresh_token")!);
        for (const issued of userTokens) if (issued.login === login) issued.revoked = true;
      } else {
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!grant || (form.get("redirect_uri") && form.get("redirect_uri") !== grant.redirectUri))
          return { status: 200, body: { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." } };
        login = grant.login;
      }
      const access = token("ghu");
      const refresh = token("ghr");
      userTokens.push({ token: access, login, expiresAt: new Date(Date.now() + userTokenSeconds * 1000), revoked: false });
      refreshTokens.set(refresh, login);
      return { status: 200, body: { access_token: access, expires_in: userTokenSeconds, refresh_token: refresh, refresh_token_expires_in: 15_897_600, scope: "", token_type: "bearer" } };
    }
    if (method === "POST" && path === "/settings/apps/new") {
      const form = new URLSearchParams(body);
      const manifest = JSON.parse(form.get("manifest") ?? "{}") as Record<string, unknown>;
      const code = token("manifest");
      manifestCodes.set(code, manifest);
      const target = new URL(String(manifest.redirect_url));
      target.searchParams.set("code", code);
      if (query.get("state")) target.searchParams.set("state", query.get("state")!);
      return { status: 302, headers: { location: target.href } };
    }
    return { status: 404, body: { message: "Not Found" } };
  }

  function git(req: IncomingMessage, res: ServerResponse, owner: string, name: string, rest: string, query: string) {
    const repo = findRepo(owner, name);
    const refuse = (status: number) => {
      res.writeHead(status, status === 401 ? { "www-authenticate": 'Basic realm="GitHub"' } : {});
      res.end();
    };
    if (!repo) return refuse(404);
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    let auth: GitRequest["auth"] = "anonymous";
    let used: string | undefined;
    if (basic) {
      const [, password] = Buffer.from(basic, "base64").toString().split(":");
      used = password;
      const issued = installationTokens.find((t) => t.token === password);
      const installation = issued && installations.find((i) => i.id === issued.installationId);
      const covers =
        issued && installation && !installation.suspended && issued.expiresAt.getTime() > Date.now() && installationReaches(installation, repo) &&
        issued.repositories.some((n) => n.toLowerCase() === repo.name.toLowerCase()) && issued.permissions.contents === "read";
      auth = covers ? "installation" : "refused";
    } else if (repo.private) auth = "refused";
    gitRequests.push({ repo: fullName(repo), auth, token: used });
    if (auth === "refused") return refuse(401);
    cloned(repo);
    serveGitHttpBackend(req, res, { projectRoot: gitRoot, pathInfo: `/${repo.owner}/${repo.name}.git${rest}`, query });
  }

  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    requests.push({ method: req.method ?? "GET", path: url.pathname, authorization: req.headers.authorization });
    const gitMatch = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (gitMatch) return git(req, res, gitMatch[1], gitMatch[2], gitMatch[3], url.search.slice(1));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let answer: Answer;
      try {
        answer = url.pathname.startsWith("/api/v3/")
          ? await api(req.method ?? "GET", url.pathname.slice("/api/v3".length), url.searchParams, req.headers, body)
          : web(req.method ?? "GET", url.pathname, url.searchParams, req.headers, body);
      } catch (error) {
        answer = { status: 500, body: { message: (error as Error).message } };
      }
      const text = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { "content-type": typeof answer.body === "string" ? "text/plain" : "application/json", ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/v3`,
    caFile,
    ca,
    app,
    users,
    repos,
    installations,
    installationTokens,
    userTokens,
    gitRequests,
    requests,
    registeredApps,
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    signInAs(login) {
      browserUser = login;
    },
    addUser(user) {
      users.push(user);
    },
    addRepo({ owner, name, private: isPrivate = false, source, collaborators = [] }) {
      const gitDir = join(gitRoot, owner, `${name}.git`);
      const repo: StandInRepo = { id: 100 + repos.length, owner, name, private: isPrivate, gitDir, collaborators };
      // Cloned when git first reads it: a picker test adds a hundred repositories it never clones.
      uncloned.set(repo, source);
      repos.push(repo);
      return repo;
    },
    updateRepo(owner, name, source) {
      const repo = cloned(findRepo(owner, name)!);
      execFileSync("git", ["--git-dir", repo.gitDir, "fetch", "-q", "--", source, "+refs/heads/*:refs/heads/*"], { stdio: "ignore" });
    },
    install(account, repoNames) {
      const installation: StandInInstallation = { id: nextInstallationId++, account, repos: [...repoNames], suspended: false, selection: "selected" };
      installations.push(installation);
      return installation;
    },
    uninstall(id) {
      const index = installations.findIndex((i) => i.id === id);
      if (index >= 0) installations.splice(index, 1);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** The documented `installation` / `installation_repositories` payloads for a stand-in installation. */
export function installationEventPayload(standIn: GitHubAppStandIn, installation: StandInInstallation, action: string) {
  const repos = installation.repos.map((name) => standIn.repos.find((r) => r.owner === installation.account && r.name === name)!);
  return {
    action,
    installation: {
      id: installation.id,
      account: { login: installation.account, id: 1, type: "User" },
      repository_selection: installation.selection,
      app_id: standIn.app.id,
      suspended_at: null,
    },
    repositories: repos.map((repo) => ({ id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: repo.private })),
    sender: { login: installation.account, id: 1 },
  };
}
