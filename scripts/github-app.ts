/**
 * `npm run github:app -- --stage NAME`: registers the stage's own GitHub App through GitHub's App
 * Manifest flow and stores its credentials as the stage's SST secrets (`npx sst secrets set`), with
 * nothing pasted. Open the printed local address in a browser signed in to GitHub, click "Create".
 *
 *   --stage NAME           the stage whose app this is (required)
 *   --site-url URL         the stage's site (default: SiteUrl of NAME in .sst/outputs.json after a deploy)
 *   --org LOGIN            register the app under an organisation instead of your account
 *   --preview              the one app all pull-request stages share: its callback is NAME's fixed
 *                          forwarder (/auth/github/forward), its secrets are stored as SST fallbacks
 *                          (used by every stage without its own); deploy PR stages with
 *                          GITHUB_CALLBACK_URL=<site-url>/auth/github/forward
 *   --port N               the local page's port (default: any free one)
 * GITHUB_URL / GITHUB_API_URL select GitHub Enterprise Server (default github.com).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startManifestFlow, type AppCredentials } from "./githubApp/manifestFlow";

const { values } = parseArgs({
  options: {
    stage: { type: "string" },
    "site-url": { type: "string" },
    org: { type: "string" },
    preview: { type: "boolean", default: false },
    port: { type: "string" },
  },
});

function fail(message: string): never {
  console.error(`github:app: ${message}`);
  process.exit(2);
}

const stage = values.stage ?? fail("--stage NAME is required.");
if (!/^[A-Za-z0-9-]{1,64}$/.test(stage) || stage === "local") fail(`"${stage}" is not a deployable stage name.`);
const siteUrl = values["site-url"] ?? deployedSiteUrl(stage) ?? fail(`no site URL for stage ${stage}: deploy it first (npx sst deploy --stage ${stage}) or pass --site-url.`);
if (!/^https:\/\/[^/?#]+$/.test(siteUrl.replace(/\/+$/, ""))) fail(`--site-url must be the stage's https origin, got ${siteUrl}.`);
const githubUrl = (process.env.GITHUB_URL || "https://github.com").replace(/\/+$/, "");
const apiUrl = (process.env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");

/** SiteUrl of the stage's Web stack, as `sst deploy` leaves it in .sst/outputs.json. */
function deployedSiteUrl(name: string): string | undefined {
  if (!existsSync(".sst/outputs.json")) return undefined;
  const outputs = JSON.parse(readFileSync(".sst/outputs.json", "utf8")) as Record<string, Record<string, string>>;
  return outputs[`${name}-doctown-Web`]?.SiteUrl || undefined;
}

/** `npx sst secrets set [--fallback] --stage STAGE NAME VALUE`, the value never printed. */
function storeSecret(name: keyof AppCredentials, value: string): Promise<void> {
  // A PEM starts with dashes, which the CLI would read as an option: base64 (core/githubApp.ts decodes it).
  const stored = name === "GITHUB_APP_PRIVATE_KEY" ? Buffer.from(value, "utf8").toString("base64") : value;
  const args = ["sst", "secrets", "set", "--stage", stage, ...(values.preview ? ["--fallback"] : []), name, stored];
  return new Promise((resolve, reject) => {
    const child = spawn("npx", args, { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npx sst secrets set ${name} failed (exit ${code}).`))));
  });
}

const flow = await startManifestFlow({
  githubUrl,
  apiUrl,
  siteUrl,
  name: values.preview ? "Doctown previews" : `Doctown ${stage}`,
  org: values.org,
  callbackUrl: values.preview ? `${siteUrl.replace(/\/+$/, "")}/auth/github/forward` : undefined,
  port: values.port ? Number(values.port) : undefined,
  storeSecret: async (name, value) => {
    await storeSecret(name, value);
    console.log(`  stored ${name}${values.preview ? " (fallback for every stage)" : ` for stage ${stage}`}`);
  },
});
console.log(`Open ${flow.startUrl} in a browser signed in to ${githubUrl} and click "Create GitHub App".`);
try {
  const { credentials, htmlUrl } = await flow.done;
  console.log(`Registered ${credentials.GITHUB_APP_SLUG}${htmlUrl ? ` (${htmlUrl})` : ""}. Deploy the stage (npx sst deploy --stage ${stage}) and choose "Install on GitHub" on its dashboard.`);
} catch (error) {
  fail((error as Error).message);
} finally {
  await flow.close();
}
