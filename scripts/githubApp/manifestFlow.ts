/**
 * Registers a stage's GitHub App through GitHub's App Manifest flow, with nothing pasted:
 *   1. a page on http://127.0.0.1:<port>/ POSTs the manifest (the stage's URLs filled in) to
 *      GITHUB_URL/settings/apps/new (or /organizations/<org>/settings/apps/new), with a random state;
 *   2. GitHub shows "Create GitHub App", then sends the browser back to /created?code=…&state=…;
 *   3. the code (single use, valid for an hour) becomes the app's credentials through
 *      POST GITHUB_API_URL/app-manifests/{code}/conversions;
 *   4. each credential is handed to `storeSecret` (the CLI runs `npx sst secrets set`).
 * Secrets are never printed.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as z from "zod";

export type AppManifestOptions = {
  /** The stage's site origin (https://…), or for the shared preview app the forwarding stage's. */
  siteUrl: string;
  name: string;
  /** Where GitHub sends the browser after creating the app (this flow's local server). */
  redirectUrl: string;
  /** Overrides the user-authorization callback (the shared preview app's fixed forwarder). */
  callbackUrl?: string;
};

/** The manifest GitHub documents: contents+metadata read, push events (installation events always reach apps). */
export function appManifest(options: AppManifestOptions) {
  const site = options.siteUrl.replace(/\/+$/, "");
  return {
    name: options.name.slice(0, 34),
    url: site,
    hook_attributes: { url: `${site}/api/github/webhook`, active: true },
    redirect_url: options.redirectUrl,
    callback_urls: [options.callbackUrl ?? `${site}/auth/github/callback`],
    setup_url: `${site}/auth/github/setup`,
    setup_on_update: true,
    request_oauth_on_install: false,
    public: false,
    default_permissions: { contents: "read", metadata: "read" },
    default_events: ["push"],
  };
}

const Conversion = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  webhook_secret: z.string().min(1).nullable(),
  pem: z.string().includes("PRIVATE KEY"),
  html_url: z.string().optional(),
});

/** The six secrets a stage needs, from GitHub's conversion answer. */
export type AppCredentials = Record<
  "GITHUB_APP_ID" | "GITHUB_APP_SLUG" | "GITHUB_APP_PRIVATE_KEY" | "GITHUB_CLIENT_ID" | "GITHUB_CLIENT_SECRET" | "GITHUB_WEBHOOK_SECRET",
  string
>;

export async function convertManifestCode(apiUrl: string, code: string): Promise<{ credentials: AppCredentials; htmlUrl?: string }> {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(code)) throw new Error("GitHub returned an unusable code.");
  const response = await fetch(`${apiUrl.replace(/\/+$/, "")}/app-manifests/${code}/conversions`, {
    method: "POST",
    headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "doctown" },
    signal: AbortSignal.timeout(20_000),
  });
  if (response.status !== 201) throw new Error(`GitHub refused the manifest code (HTTP ${response.status}); run the command again.`);
  const body = Conversion.parse(await response.json());
  if (!body.webhook_secret) throw new Error("GitHub returned no webhook secret; the manifest must have an active webhook.");
  return {
    htmlUrl: body.html_url,
    credentials: {
      GITHUB_APP_ID: String(body.id),
      GITHUB_APP_SLUG: body.slug,
      GITHUB_APP_PRIVATE_KEY: body.pem,
      GITHUB_CLIENT_ID: body.client_id,
      GITHUB_CLIENT_SECRET: body.client_secret,
      GITHUB_WEBHOOK_SECRET: body.webhook_secret,
    },
  };
}

export type ManifestFlow = {
  /** Open this in a browser signed in to GitHub. */
  startUrl: string;
  /** Resolves once the app is registered and its secrets stored. */
  done: Promise<{ credentials: AppCredentials; htmlUrl?: string }>;
  close(): Promise<void>;
};

export async function startManifestFlow(options: {
  githubUrl: string;
  apiUrl: string;
  siteUrl: string;
  name: string;
  org?: string;
  callbackUrl?: string;
  port?: number;
  storeSecret: (name: keyof AppCredentials, value: string) => Promise<void>;
}): Promise<ManifestFlow> {
  const state = randomBytes(24).toString("base64url");
  let finish!: (value: { credentials: AppCredentials; htmlUrl?: string }) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<{ credentials: AppCredentials; htmlUrl?: string }>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  done.catch(() => {}); // the caller awaits it; an early failure must not be "unhandled"
  let used = false;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, html: string) => {
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": "default-src 'none'; script-src 'unsafe-inline'; form-action " + new URL(options.githubUrl).origin });
      res.end(html);
    };
    if (req.method === "GET" && url.pathname === "/") {
      const target = new URL(
        options.org ? `${options.githubUrl}/organizations/${encodeURIComponent(options.org)}/settings/apps/new` : `${options.githubUrl}/settings/apps/new`,
      );
      target.searchParams.set("state", state);
      const manifest = appManifest({ siteUrl: options.siteUrl, name: options.name, redirectUrl: `${address()}/created`, callbackUrl: options.callbackUrl });
      return reply(
        200,
        `<!doctype html><meta charset="utf-8"><title>Register ${escapeHtml(options.name)}</title>
<form method="post" action="${escapeHtml(target.href)}"><input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<p>Registering the GitHub App <b>${escapeHtml(options.name)}</b> for ${escapeHtml(options.siteUrl)}.</p><button type="submit">Continue on GitHub</button></form>
<script>document.forms[0].submit()</script>`,
      );
    }
    if (req.method === "GET" && url.pathname === "/created") {
      const given = url.searchParams.get("state") ?? "";
      if (used || given.length !== state.length || !timingSafeEqual(Buffer.from(given), Buffer.from(state)))
        return reply(400, "<p>This link did not come from this registration (state mismatch). Start again.</p>");
      used = true;
      try {
        const result = await convertManifestCode(options.apiUrl, url.searchParams.get("code") ?? "");
        for (const [name, value] of Object.entries(result.credentials)) await options.storeSecret(name as keyof AppCredentials, value);
        reply(200, `<p>Registered <b>${escapeHtml(result.credentials.GITHUB_APP_SLUG)}</b>; its credentials are stored. You can close this page.</p>`);
        finish(result);
      } catch (error) {
        reply(502, `<p>Registration failed: ${escapeHtml((error as Error).message)}</p>`);
        fail(error as Error);
      }
      return;
    }
    reply(404, "<p>Not found.</p>");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const address = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    startUrl: `${address()}/`,
    done,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
