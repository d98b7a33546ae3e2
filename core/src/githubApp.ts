/**
 * The stage's GitHub App acting as itself: an app JWT (RS256, GITHUB_APP_PRIVATE_KEY, minted by
 * universal-github-app-jwt) buys installation tokens. A build gets one for exactly its repository
 * with contents:read; GitHub makes it expire within an hour, and it is never stored.
 */
import githubAppJwt from "universal-github-app-jwt";
import * as z from "zod";
import { githubApiUrl, optionalSecret, secret } from "./config";
import { BadGateway, ConfigError } from "./errors";

export type InstallationToken = { token: string; expiresAt: string };

const AccessTokenPayload = z.object({ token: z.string().min(1).max(1024), expires_at: z.string() });

/**
 * The PEM GitHub gave, as secret stores keep it: as is, with newlines turned into a literal "\n",
 * or base64-encoded (what `npm run github:app` stores: a PEM's leading dashes read as a CLI option).
 */
export function normalizePrivateKey(value: string): string {
  const text = value.trim();
  if (text.startsWith("-----BEGIN")) return text.includes("\\n") && !text.includes("\n") ? text.replace(/\\n/g, "\n") : text;
  const decoded = Buffer.from(text, "base64").toString("utf8");
  if (!decoded.startsWith("-----BEGIN")) throw new ConfigError("GITHUB_APP_PRIVATE_KEY is neither a PEM private key nor one in base64.");
  return decoded.trim();
}

/** Whether this stage has a GitHub App (the local stage's dev sign-in may run without one). */
export function appConfigured(): boolean {
  return optionalSecret("GITHUB_APP_ID") !== undefined && optionalSecret("GITHUB_APP_PRIVATE_KEY") !== undefined;
}

/** A JWT that authenticates as the app (10 minutes at most; the library backdates iat by 30 s for clock drift). */
export async function appJwt(): Promise<string> {
  const { token } = await githubAppJwt({ id: secret("GITHUB_APP_ID"), privateKey: normalizePrivateKey(secret("GITHUB_APP_PRIVATE_KEY")) });
  return token;
}

/**
 * An installation token for one repository (`name`, without owner) with contents:read only, or
 * null when GitHub says the installation or the repository in it is gone (404/403/422).
 */
export async function createRepoInstallationToken(installationId: number, repoName: string, timeoutMs = 10_000): Promise<InstallationToken | null> {
  const jwt = await appJwt();
  let response: Response;
  try {
    response = await fetch(`${githubApiUrl()}/app/installations/${installationId}/access_tokens`, {
      method: "POST",
      headers: {
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": "doctown",
        "content-type": "application/json",
        authorization: `Bearer ${jwt}`,
      },
      body: JSON.stringify({ repositories: [repoName], permissions: { contents: "read" } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new BadGateway("github_unavailable", `GitHub could not be reached for an installation token (${(error as Error).message}).`);
  }
  if (response.status === 404 || response.status === 403 || response.status === 422) return null;
  if (response.status !== 201 && response.status !== 200) throw new BadGateway("github_unexpected_status", `GitHub answered HTTP ${response.status} for an installation token.`);
  const parsed = AccessTokenPayload.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new BadGateway("github_bad_response", "GitHub answered the installation token request with an unexpected body.");
  return { token: parsed.data.token, expiresAt: parsed.data.expires_at };
}

/**
 * The installation of the app that reaches owner/name, asked of GitHub as the app
 * (GET /repos/{owner}/{repo}/installation); null when there is none. For stages that never receive
 * the app's webhooks (pull-request stages sharing the preview app).
 */
export async function findAppInstallationId(owner: string, name: string, timeoutMs = 10_000): Promise<number | null> {
  const jwt = await appJwt();
  let response: Response;
  try {
    response = await fetch(`${githubApiUrl()}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/installation`, {
      headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "doctown", authorization: `Bearer ${jwt}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new BadGateway("github_unavailable", `GitHub could not be reached to find the app's installation (${(error as Error).message}).`);
  }
  if (response.status === 404 || response.status === 403) return null;
  if (!response.ok) throw new BadGateway("github_unexpected_status", `GitHub answered HTTP ${response.status} when asked for the app's installation.`);
  const parsed = z.object({ id: z.number().int().positive() }).safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new BadGateway("github_bad_response", "GitHub answered the installation lookup with an unexpected body.");
  return parsed.data.id;
}
