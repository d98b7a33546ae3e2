import { existsSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { simpleGit, type SimpleGitOptions } from "simple-git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDocpack } from "../src/build";
import { BuildError } from "../src/errors";
import { basicAuth, gitConfig, gitEnv, scrubSecret } from "../src/git/env";
import { cloneStage, validateRef, validateSource } from "../src/stages/clone";
import { openDocpack } from "./fixtures/docpack";
import { commitFiles, createRepo, git, removeDir, tempDir } from "./fixtures/gitRepo";

// Where `--upload-pack=touch …` would leave proof that git ran the attacker's command.
const markerDir = tempDir("doctown-marker-");
const MARKER = path.join(markerDir, "upload-pack-ran");

let root: string;
let repo: string;
let tagCommit: string;
let mainCommit: string;
let featureCommit: string;

beforeAll(() => {
  root = tempDir();
  repo = path.join(root, "refs-repo");
  tagCommit = createRepo(repo, { "src/a.ts": "export function first() {}\n" });
  git(repo, "tag", "-a", "v1.0", "-m", "release 1.0");
  mainCommit = commitFiles(repo, { "src/b.ts": "export function second() {}\n" }, "second");
  git(repo, "checkout", "--quiet", "-b", "feature");
  featureCommit = commitFiles(repo, { "src/c.ts": "export function third() {}\n" }, "third");
  git(repo, "checkout", "--quiet", "main");
});

afterAll(() => {
  removeDir(root);
  removeDir(markerDir);
});

describe.each([
  ["read in place", false],
  ["fetched into a bare repository", true],
])("clone at a ref, local source %s", (_mode, fetchLocal) => {
  async function buildAt(refOrCommit: { ref?: string; commit?: string }) {
    const outFile = path.join(root, `${fetchLocal}-${refOrCommit.ref ?? refOrCommit.commit}.zip`);
    const summary = await buildDocpack({ source: repo, outFile, allowLocal: true, llm: false, env: {}, ...refOrCommit }, { fetchLocal });
    return { summary, pack: openDocpack(outFile) };
  }

  it("builds at an annotated tag", async () => {
    const { summary, pack } = await buildAt({ ref: "v1.0" });
    expect(summary.commit).toBe(tagCommit);
    expect(pack.manifest.repo).toMatchObject({ git_ref: "v1.0", commit: git(repo, "rev-parse", "v1.0^{commit}") });
    expect(pack.files.map((f) => f.path)).toEqual(["src/a.ts"]);
  });

  it("builds at a branch", async () => {
    const { pack } = await buildAt({ ref: "feature" });
    expect(pack.manifest.repo.commit).toBe(git(repo, "rev-parse", "feature"));
    expect(pack.manifest.repo.commit).toBe(featureCommit);
    expect(pack.files.map((f) => f.path)).toEqual(["src/a.ts", "src/b.ts", "src/c.ts"]);
  });

  it("builds at a commit, and at the default branch without a ref", async () => {
    const atCommit = await buildAt({ commit: mainCommit });
    expect(atCommit.pack.manifest.repo.commit).toBe(mainCommit);
    expect(atCommit.pack.files.map((f) => f.path)).toEqual(["src/a.ts", "src/b.ts"]);
    const atHead = await buildAt({});
    expect(atHead.pack.manifest.repo).toMatchObject({ git_ref: "HEAD", commit: git(repo, "rev-parse", "HEAD") });
  });

  it("fails clearly for a missing ref or commit", async () => {
    await expect(buildAt({ ref: "does-not-exist" })).rejects.toMatchObject({
      code: "ref_not_found",
      message: 'ref "does-not-exist" not found in the repository',
    });
    await expect(buildAt({ commit: "0123456789abcdef0123456789abcdef01234567" })).rejects.toMatchObject({ code: "ref_not_found" });
  });

  it("never writes into the source repository", () => {
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(git(repo, "for-each-ref", "--format=%(refname)")).toBe("refs/heads/feature\nrefs/heads/main\nrefs/tags/v1.0");
  });
});

describe("refusing hostile input before git runs", () => {
  const hostileRefs = [
    `--upload-pack=touch ${MARKER}`,
    "-c",
    "--end-of-options",
    "main..feature",
    "a b",
    "a\nb",
    "tab\there",
    "x~1",
    "x^",
    "x:refs/heads/y",
    "x?",
    "x*",
    "x[1]",
    "x\\y",
    "x@{1}",
    "+main",
    "a".repeat(256),
    "",
    "/abs",
    "refs/heads/.hidden",
    "x.lock",
  ];

  it.each(hostileRefs.map((ref) => [ref]))("refuses the ref %j", (ref) => {
    expect(() => validateRef(ref)).toThrow(BuildError);
    try {
      validateRef(ref);
    } catch (error) {
      expect((error as BuildError).code).toBe("invalid_ref");
    }
  });

  it("accepts ordinary branch, tag and pull refs", () => {
    for (const ref of ["main", "feature/x-1", "v1.2.3", "refs/pull/12/head", "release_2024.01", "a".repeat(255)])
      expect(validateRef(ref)).toBe(ref);
  });

  it("never creates a git process for a malicious ref", async () => {
    let gitClients = 0;
    const createGit = (options: Partial<SimpleGitOptions>) => {
      gitClients++;
      return simpleGit(options);
    };
    for (const ref of [hostileRefs[0], "--output=/tmp/x", "-oProxyCommand=x"]) {
      await expect(
        cloneStage({ source: repo, ref, allowLocal: true }, { workDir: mkdtempSync(path.join(root, "work-")), env: process.env, createGit }),
      ).rejects.toMatchObject({ code: "invalid_ref" });
      await expect(
        buildDocpack({ source: repo, ref, outFile: path.join(root, "x.zip"), allowLocal: true, llm: false, env: {} }, { createGit }),
      ).rejects.toMatchObject({ code: "invalid_ref" });
    }
    await expect(
      cloneStage({ source: repo, commit: "--upload-pack=x", allowLocal: true }, { workDir: mkdtempSync(path.join(root, "work-")), env: process.env, createGit }),
    ).rejects.toMatchObject({ code: "invalid_ref" });
    expect(gitClients).toBe(0);
    expect(existsSync(MARKER)).toBe(false);
  });

  it("accepts only https (and local sources when allowed)", () => {
    expect(validateSource("https://github.com/octo/hello.git", false)).toMatchObject({ name: "hello", local: false });
    const refused: Array<[string, boolean, string]> = [
      ["http://github.com/octo/hello", true, "invalid_source"],
      ["ssh://git@github.com/octo/hello", true, "invalid_source"],
      ["git@github.com:octo/hello.git", true, "invalid_source"],
      ["ext::sh -c touch% /tmp/pwned", true, "invalid_source"],
      ["https://user:pass@github.com/octo/hello", true, "invalid_source"],
      ["https://github.com/octo/hello?x=1", true, "invalid_source"],
      ["--upload-pack=x", true, "invalid_source"],
      [repo, false, "local_not_allowed"],
      [`file://${repo}`, false, "local_not_allowed"],
      [path.join(root, "missing"), true, "invalid_source"],
    ];
    for (const [source, allowLocal, code] of refused)
      expect(() => validateSource(source, allowLocal), source).toThrow(expect.objectContaining({ code }));
  });
});

describe("git settings", () => {
  it("passes the token only as an http.extraHeader in the environment, never in argv", () => {
    const token = "ghs_secretsecretsecret";
    const env = gitEnv({ PATH: "/usr/bin", HOME: "/home/me", GIT_DIR: "/elsewhere" }, { allowFile: false, token });
    expect(env).toMatchObject({
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
    });
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.HOME).toBeUndefined();
    const config = gitConfig({ allowFile: false, token });
    expect(config).toEqual(expect.arrayContaining(["protocol.allow=never", "protocol.https.allow=always", "protocol.file.allow=never", "credential.helper="]));
    expect(config.join(" ")).not.toContain(token);
    expect(scrubSecret(`fatal: ${token} and ${basicAuth(token)}`, token)).toBe("fatal: *** and ***");
  });
});
