/**
 * `npm run github:app`'s App Manifest flow (scripts/githubApp/manifestFlow.ts) against the GitHub
 * stand-in: the local page posts the stage's manifest to GITHUB_URL/settings/apps/new, GitHub
 * sends the browser back with a code, the code becomes the app's credentials (POST
 * /app-manifests/{code}/conversions), and every credential is stored; nothing is pasted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizePrivateKey } from "@doctown/core/githubApp";
import { startGitHubAppStandIn, type GitHubAppStandIn } from "@doctown/core/test/support/fakeGitHubApp";
import { trustCertificate } from "@doctown/core/test/support/selfSignedCert";
import { appManifest, startManifestFlow } from "../../scripts/githubApp/manifestFlow";

const SITE = "https://d1234.cloudfront.net";

describe("registering a stage's GitHub App through the manifest flow", () => {
  let github: GitHubAppStandIn;
  let untrust: () => void;

  beforeAll(async () => {
    github = await startGitHubAppStandIn();
    untrust = trustCertificate(github.ca);
  });
  afterAll(async () => {
    untrust?.();
    await github?.close();
  });

  /** What the browser does: load the page, submit its form to GitHub, follow GitHub's redirect back. */
  async function clickThrough(startUrl: string, changeState?: (url: URL) => void) {
    const page = await (await fetch(startUrl)).text();
    const action = /<form method="post" action="([^"]+)"/.exec(page)![1].replace(/&#38;/g, "&");
    const manifest = /name="manifest" value="([^"]+)"/.exec(page)![1].replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
    const created = await fetch(action, { method: "POST", body: new URLSearchParams({ manifest }), redirect: "manual" });
    const back = new URL(created.headers.get("location")!);
    changeState?.(back);
    const done = await fetch(back);
    return { action: new URL(action), manifest: JSON.parse(manifest), done };
  }

  it("fills in the stage's URLs, asks for contents and metadata read only, and stores all six credentials", async () => {
    const stored = new Map<string, string>();
    const flow = await startManifestFlow({
      githubUrl: github.url,
      apiUrl: github.apiUrl,
      siteUrl: SITE,
      name: "Doctown pr-7",
      storeSecret: async (name, value) => void stored.set(name, value),
    });
    try {
      const { action, manifest, done } = await clickThrough(flow.startUrl);
      expect(action.origin + action.pathname).toBe(`${github.url}/settings/apps/new`);
      expect(manifest).toMatchObject({
        name: "Doctown pr-7",
        url: SITE,
        hook_attributes: { url: `${SITE}/api/github/webhook`, active: true },
        callback_urls: [`${SITE}/auth/github/callback`],
        setup_url: `${SITE}/auth/github/setup`,
        public: false,
        default_permissions: { contents: "read", metadata: "read" },
        default_events: ["push"],
      });
      expect(done.status).toBe(200);
      const result = await flow.done;
      const app = github.registeredApps.at(-1)!;
      expect(Object.fromEntries(stored)).toEqual({
        GITHUB_APP_ID: String(app.id),
        GITHUB_APP_SLUG: app.slug,
        GITHUB_APP_PRIVATE_KEY: app.privateKey,
        GITHUB_CLIENT_ID: app.clientId,
        GITHUB_CLIENT_SECRET: app.clientSecret,
        GITHUB_WEBHOOK_SECRET: app.webhookSecret,
      });
      expect(result.credentials.GITHUB_APP_SLUG).toBe(app.slug);
      // The CLI stores the key base64-encoded; the API reads it back as the PEM.
      expect(normalizePrivateKey(Buffer.from(app.privateKey).toString("base64"))).toBe(app.privateKey.trim());
    } finally {
      await flow.close();
    }
  });

  it("registers under an organisation, and the shared preview app's callback is the fixed forwarder", async () => {
    const flow = await startManifestFlow({ githubUrl: github.url, apiUrl: github.apiUrl, siteUrl: SITE, name: "Doctown x", org: "acme", storeSecret: async () => {} });
    try {
      const page = await (await fetch(flow.startUrl)).text();
      expect(new URL(/action="([^"]+)"/.exec(page)![1].replace(/&#38;/g, "&")).pathname).toBe("/organizations/acme/settings/apps/new");
    } finally {
      await flow.close();
    }
    const manifest = appManifest({ siteUrl: SITE, name: "Doctown previews", redirectUrl: "http://127.0.0.1:1/created", callbackUrl: `${SITE}/auth/github/forward` });
    expect(manifest.callback_urls).toEqual([`${SITE}/auth/github/forward`]);
  });

  it("stores nothing for a return with another state (a link that did not start here)", async () => {
    const stored: string[] = [];
    const flow = await startManifestFlow({ githubUrl: github.url, apiUrl: github.apiUrl, siteUrl: SITE, name: "Doctown x", storeSecret: async (name) => void stored.push(name) });
    try {
      const { done } = await clickThrough(flow.startUrl, (url) => url.searchParams.set("state", "forged-state-value-forged-state-v"));
      expect(done.status).toBe(400);
      expect(stored).toEqual([]);
    } finally {
      await flow.close();
    }
  });
});
