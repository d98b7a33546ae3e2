/**
 * GitHub's REST API at its HTTP boundary, with the documented payload shapes for the endpoints
 * Doctown calls: GET /user, GET /user/repos (Link-header pagination), GET /user/installations and
 * /user/installations/{id}/repositories (one installation per user, on everything they reach), GET /repos/{owner}/{repo},
 * GET /repos/{owner}/{repo}/commits/{ref}, and POST /app/installations/{id}/access_tokens (the app
 * JWT checked against `app`'s key; any installation id). Users are identified by their bearer token.
 * The full GitHub App stand-in (OAuth, installations, git) is fakeGitHubApp.ts.
 */
import { generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { startFakeServer, type FakeResponse, type FakeServer } from "./fakeServer";

export type FakeGitHubUser = { token: string; id: number; login: string; name?: string | null };
export type FakeGitHubRepo = {
  owner: string;
  name: string;
  private?: boolean;
  defaultBranch?: string;
  /** Logins (besides the owner) who may read a private repository (and push, unless in readOnly). */
  collaborators?: string[];
  /** Collaborators with read access only (pull, no push). */
  readOnly?: string[];
  /** Branch or tag name → 40-hex commit. */
  refs: Record<string, string>;
};
export type FakeGitHub = FakeServer & {
  users: FakeGitHubUser[];
  repos: FakeGitHubRepo[];
  /** The app whose JWTs buy installation tokens here. */
  app: { id: number; privateKey: string };
  installationTokens: { token: string; installationId: number; repositories: string[]; permissions: Record<string, string> }[];
};

const NOT_FOUND = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };

export async function startFakeGitHub(
  initial: { users?: FakeGitHubUser[]; repos?: FakeGitHubRepo[] } = {},
  options: { tls?: { key: string; cert: string } } = {},
): Promise<FakeGitHub> {
  const users = [...(initial.users ?? [])];
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const app = { id: 31337, privateKey: keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString() };
  const installationTokens: FakeGitHub["installationTokens"] = [];
  const validAppJwt = (authorization: string | undefined) => {
    const parts = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? "");
    if (!parts) return false;
    const claims = JSON.parse(Buffer.from(parts[2], "base64url").toString());
    const now = Date.now() / 1000;
    return (
      Number(claims.iss) === app.id && claims.exp > now && claims.exp - claims.iat <= 660 &&
      verify("RSA-SHA256", Buffer.from(`${parts[1]}.${parts[2]}`), keys.publicKey, Buffer.from(parts[3], "base64url"))
    );
  };
  const repos = [...(initial.repos ?? [])];
  let baseUrl = "";

  const userOf = (authorization: string | undefined) => {
    const token = /^(?:Bearer|token) (.+)$/.exec(authorization ?? "")?.[1];
    return token === undefined ? undefined : (users.find((user) => user.token === token) ?? null);
  };
  const canRead = (repo: FakeGitHubRepo, login: string | undefined) =>
    !repo.private || (login !== undefined && (repo.owner === login || (repo.collaborators ?? []).includes(login)));
  // GitHub adds `permissions` for an authenticated caller: the owner and collaborators may push.
  const permissionsOf = (repo: FakeGitHubRepo, login: string) => {
    const isOwner = repo.owner === login;
    const push = isOwner || ((repo.collaborators ?? []).includes(login) && !(repo.readOnly ?? []).includes(login));
    return { admin: isOwner, maintain: isOwner, push, triage: push, pull: true };
  };
  const repoPayload = (repo: FakeGitHubRepo, index: number, login?: string) => ({
    id: 1000 + index,
    node_id: `R_${index}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: Boolean(repo.private),
    owner: { login: repo.owner, id: 500 + index, type: "User" },
    html_url: `https://github.com/${repo.owner}/${repo.name}`,
    description: null,
    fork: false,
    default_branch: repo.defaultBranch ?? "main",
    pushed_at: "2026-01-01T00:00:00Z",
    visibility: repo.private ? "private" : "public",
    ...(login !== undefined ? { permissions: permissionsOf(repo, login) } : {}),
  });

  const server = await startFakeServer((req): FakeResponse => {
    const tokenRequest = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(req.path);
    if (req.method === "POST" && tokenRequest) {
      if (!validAppJwt(req.headers.authorization as string | undefined)) return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      const body = (req.json() ?? {}) as { repositories?: string[]; permissions?: Record<string, string> };
      const issued = { token: `ghs_${randomBytes(16).toString("hex")}`, installationId: Number(tokenRequest[1]), repositories: body.repositories ?? [], permissions: body.permissions ?? {} };
      installationTokens.push(issued);
      return { status: 201, body: { token: issued.token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: issued.permissions } };
    }
    // Installations exist only in Doctown's records here: asked as the app, GitHub knows of none.
    if (req.method === "GET" && /^\/repos\/[^/]+\/[^/]+\/installation$/.test(req.path))
      return validAppJwt(req.headers.authorization as string | undefined) ? NOT_FOUND : { status: 401, body: { message: "A JSON web token could not be decoded" } };
    const user = userOf(req.headers.authorization as string | undefined);
    if (user === null) return { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } };
    const login = user?.login;
    if (req.method !== "GET") return NOT_FOUND;

    if (req.path === "/user") {
      if (!user) return { status: 401, body: { message: "Requires authentication" } };
      return { status: 200, body: { login: user.login, id: user.id, avatar_url: `https://avatars.example/${user.id}`, name: user.name ?? null, type: "User" } };
    }
    // As if each user had installed the app on their account, for every repository they reach.
    if (req.path === "/user/installations") {
      if (!user) return { status: 401, body: { message: "Requires authentication" } };
      const installation = { id: 100_000 + user.id, account: { login: user.login, id: user.id, type: "User" }, repository_selection: "all", suspended_at: null };
      return { status: 200, body: { total_count: 1, installations: [installation] } };
    }
    if (req.path === `/user/installations/${100_000 + (user?.id ?? -1)}/repositories`) {
      const visible = repos.map((repo, i) => repoPayload(repo, i, login)).filter((_, i) => canRead(repos[i], login) && (repos[i].owner === login || (repos[i].collaborators ?? []).includes(login!)));
      return { status: 200, body: { total_count: visible.length, repositories: visible } };
    }
    if (/^\/user\/installations\/\d+\/repositories$/.test(req.path)) return NOT_FOUND;
    if (req.path === "/user/repos") {
      if (!user) return { status: 401, body: { message: "Requires authentication" } };
      const perPage = Number(req.query.get("per_page") ?? 30);
      const page = Number(req.query.get("page") ?? 1);
      const visible = repos.map((repo, i) => repoPayload(repo, i, login)).filter((_, i) => canRead(repos[i], login) && (repos[i].owner === login || (repos[i].collaborators ?? []).includes(login!)));
      const lastPage = Math.max(1, Math.ceil(visible.length / perPage));
      const links: string[] = [];
      const link = (p: number, rel: string) => `<${baseUrl}/user/repos?per_page=${perPage}&page=${p}>; rel="${rel}"`;
      if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
      if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
      return { status: 200, body: visible.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(", ") } : {} };
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(?:\/commits\/(.+))?$/.exec(req.path);
    if (repoMatch) {
      const [, owner, name, rawRef] = repoMatch.map((part) => (part === undefined ? part : decodeURIComponent(part)));
      const index = repos.findIndex((repo) => repo.owner.toLowerCase() === owner.toLowerCase() && repo.name.toLowerCase() === name.toLowerCase());
      if (index < 0 || !canRead(repos[index], login)) return NOT_FOUND;
      const repo = repos[index];
      if (rawRef === undefined) return { status: 200, body: repoPayload(repo, index, login) };
      const sha = repo.refs[rawRef] ?? (Object.values(repo.refs).includes(rawRef) ? rawRef : undefined);
      if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${rawRef}` } };
      return { status: 200, body: { sha, node_id: `C_${sha}`, commit: { message: "commit" }, html_url: `https://github.com/${owner}/${name}/commit/${sha}` } };
    }
    return NOT_FOUND;
  }, options);
  baseUrl = server.url;
  return Object.assign(server, { users, repos, app, installationTokens });
}
