/**
 * `npm start` refuses an ambiguous sign-in configuration with a clear message before starting
 * anything, and the banner names the sign-in the handlers actually use.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startLocalStack } from "../src/stack";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function npmStart(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(GITHUB_CLIENT_|DOCTOWN_STAGE|SST_STAGE)/.test(name)));
  return spawnSync(process.execPath, ["--import", "tsx", "local/src/main.ts"], {
    cwd: REPO_ROOT,
    env: { ...clean, PORT: "0", DOCTOWN_SKIP_WEB_BUILD: "1", DOCTOWN_DATA_DIR: "/nonexistent/never-created", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("npm start with an ambiguous configuration", () => {
  it("GITHUB_CLIENT_ID of blanks: refused at start (it used to run the dev sign-in under a 'GitHub OAuth' banner)", () => {
    const result = npmStart({ GITHUB_CLIENT_ID: " ", GITHUB_CLIENT_SECRET: "x" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("doctown: GITHUB_CLIENT_ID is set to blanks");
    expect(result.stdout).not.toContain("Doctown is running");
  });

  it("half a GitHub client or DOCTOWN_STAGE beside another SST_STAGE: refused", () => {
    expect(npmStart({ GITHUB_CLIENT_SECRET: "x" }).stderr).toContain("Set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET");
    expect(npmStart({ SST_STAGE: "prod" }).stderr).toContain("SST_STAGE=prod");
  });

  it("the stack itself refuses it too (tests and other callers of startLocalStack)", async () => {
    await expect(startLocalStack({ port: 0, env: { GITHUB_CLIENT_ID: " " } })).rejects.toThrow(/GITHUB_CLIENT_ID is set to blanks/);
  });
});
