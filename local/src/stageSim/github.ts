/**
 * GitHub at its HTTP boundary for the builder's clone: https://github.com/<owner>/<name>.git served
 * by `git http-backend` (smart HTTP) behind TLS with the simulation's certificate, reached through
 * an HTTP CONNECT proxy (git honours HTTPS_PROXY; the builder passes it through), so the builder
 * clones the very URL Dispatch gives it. Repositories are bare copies of test repositories.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimCerts } from "./certs";
import { serveGitHttpBackend } from "@doctown/testing/gitHttpBackend";

export type GitHubGitStandIn = {
  /** The HTTPS_PROXY value that routes github.com:443 to this stand-in. */
  proxyUrl: string;
  /** Authorization headers the clones presented (the builder sends the job's GitHub token). */
  authorizations: string[];
  /**
   * Publishes a local repository as https://github.com/<owner>/<name>.git. A private one (`canRead`
   * given) answers a request whose Authorization header it refuses with 401, as GitHub does.
   */
  publish(owner: string, name: string, sourceRepo: string, canRead?: (authorization: string | undefined) => boolean): void;
  close(): Promise<void>;
};


export async function startGitHubGit(certs: SimCerts): Promise<GitHubGitStandIn> {
  const root = mkdtempSync(join(tmpdir(), "doctown-sim-github-"));
  const authorizations: string[] = [];
  const privateRepos = new Map<string, (authorization: string | undefined) => boolean>();
  const tls = createHttpsServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    const repoPath = /^\/([^/]+\/[^/]+\.git)\//.exec(new URL(req.url ?? "/", "https://github.com").pathname)?.[1];
    const canRead = repoPath === undefined ? undefined : privateRepos.get(repoPath);
    if (canRead && !canRead(req.headers.authorization)) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"' }).end();
      return;
    }
    serveGit(root, req, res);
  });
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  const tlsPort = (tls.address() as AddressInfo).port;

  const sockets = new Set<Socket>();
  const proxy = createHttpServer((_req, res) => {
    res.writeHead(405).end();
  });
  proxy.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    // Only GitHub is stood in for; nothing else leaves through this proxy.
    if (req.url !== "github.com:443") {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(tlsPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));

  return {
    proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    authorizations,
    publish(owner, name, sourceRepo, canRead) {
      if (canRead) privateRepos.set(`${owner}/${name}.git`, canRead);
      mkdirSync(join(root, owner), { recursive: true });
      execFileSync("git", ["clone", "--quiet", "--bare", "--", sourceRepo, join(root, owner, `${name}.git`)], { stdio: "ignore" });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => (tls.close(() => resolve()), tls.closeAllConnections())),
        new Promise<void>((resolve) => (proxy.close(() => resolve()), proxy.closeAllConnections())),
      ]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** One request for a repository under `root`, through git's own smart HTTP server. */
function serveGit(root: string, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "https://github.com");
  serveGitHttpBackend(req, res, { projectRoot: root, pathInfo: decodeURIComponent(url.pathname), query: url.search.replace(/^\?/, "") });
}
