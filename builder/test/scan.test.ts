import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneStage } from "../src/stages/clone";
import { scanStage, type ScanDeps, type ScanLimits } from "../src/stages/scan";
import { languageFromPath, languageFromShebang } from "../src/scan/languages";
import { contentLooksGenerated, pathVerdict } from "../src/scan/rules";
import { createRepo, git, gitWithInput, removeDir, tempDir } from "./fixtures/gitRepo";

let root: string;
let repo: string;

beforeAll(() => {
  root = tempDir();
  repo = path.join(root, "scan-repo");
  createRepo(repo, {
    "a.ts": "export const a = 1;\n",
    "b.py": "b = 2\n",
    "c.go": "package c\n",
    "d.rs": "fn d() {}\n",
    "scripts/deploy": "#!/usr/bin/env bash\ndeploy() { :; }\n",
    "scripts/tool": "#!/usr/bin/env -S node --no-warnings\nfunction tool() {}\n",
    "scripts/notes": "just some text\n",
    "data/config.yaml": "key: value\n",
  });
  // a submodule entry (mode 160000) without fetching anything, and a file name no ZIP should hold
  git(repo, "update-index", "--add", "--cacheinfo", `160000,${git(repo, "rev-parse", "HEAD")},vendored-sub`);
  const blob = git(repo, "rev-parse", "HEAD:a.ts");
  git(repo, "update-index", "--add", "--cacheinfo", `100644,${blob},evil\nname.ts`);
  git(repo, "update-index", "--add", "--cacheinfo", `100644,${blob},C:drive.ts`);
  git(repo, "commit", "--quiet", "-m", "submodule");
});
afterAll(() => removeDir(root));

async function scan(limits: Partial<ScanLimits> = {}, source = repo, fetchLocal = false, onFile?: ScanDeps["onFile"]) {
  const workDir = tempDir();
  try {
    const cloned = await cloneStage({ source, allowLocal: true }, { workDir, env: process.env, fetchLocal });
    return await scanStage(cloned.commit, { repo: { gitDir: cloned.gitDir, access: cloned.access, env: process.env }, limits, onFile });
  } finally {
    removeDir(workDir);
  }
}

describe("scan stage", () => {
  it("reads tracked files from git objects, detects shebangs, skips submodules and data files", async () => {
    const result = await scan();
    expect(result.files.map((f) => [f.path, f.language])).toEqual([
      ["a.ts", "typescript"],
      ["b.py", "python"],
      ["c.go", "go"],
      ["d.rs", "rust"],
      ["scripts/deploy", "bash"],
      ["scripts/tool", "javascript"],
    ]);
    expect(result.skipped).toEqual({ submodule: 1, unsupported: 2, unsafe_path: 2 });
    const a = result.files[0];
    expect(a).toMatchObject({ bytes: 20, lines: 1, content: "export const a = 1;\n" });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.accepted).toBe(6);
  });

  it("hands each file to onFile as it is read, and keeps none of them (nor their texts) itself", async () => {
    const taken: string[] = [];
    const result = await scan({}, repo, false, (file) => void taken.push(file.path));
    expect(taken).toEqual(["a.ts", "b.py", "c.go", "d.rs", "scripts/deploy", "scripts/tool"]);
    expect(result.files).toEqual([]);
    expect(result.accepted).toBe(6);
  });

  it("stops at the file-count and total-size limits, keeping the first files in path order", async () => {
    const byCount = await scan({ maxFiles: 3 });
    expect(byCount.files.map((f) => f.path)).toEqual(["a.ts", "b.py", "c.go"]);
    expect(byCount.skipped).toMatchObject({ limit: 4, unsupported: 1 }); // d.rs + 3 scripts; the yaml file is no candidate
    const bySize = await scan({ maxTotalBytes: 30 });
    expect(bySize.files.map((f) => f.path)).toEqual(["a.ts", "b.py"]);
    const bySizePerFile = await scan({ maxFileBytes: 10 });
    expect(bySizePerFile.files.map((f) => f.path)).toEqual(["b.py", "c.go", "d.rs"]); // 6, 10 and 10 bytes
    expect(bySizePerFile.skipped.too_large).toBe(4);
  });
});

describe("scan of a crafted tree", () => {
  /** A commit whose tree git would never write from a checkout, but a remote can serve. */
  function craftedRepo(): string {
    const dir = path.join(root, "crafted");
    createRepo(dir, { "ok.ts": "export const ok = 1;\n" });
    const blob = git(dir, "rev-parse", "HEAD:ok.ts");
    const tree = (entries: Array<[mode: string, type: string, oid: string, name: Buffer | string]>) =>
      gitWithInput(dir, Buffer.concat(entries.map(([mode, type, oid, name]) => Buffer.concat([Buffer.from(`${mode} ${type} ${oid}\t`), Buffer.from(name), Buffer.from([0])]))), "mktree", "-z");
    const inner = tree([["100644", "blob", blob, "evil.ts"]]);
    const top = tree([
      ["100644", "blob", blob, "ok.ts"],
      ["040000", "tree", inner, ".."],
      ["040000", "tree", inner, "."],
      ["100644", "blob", blob, Buffer.from([0x61, 0xff, 0x2e, 0x74, 0x73])], // "a\xff.ts"
      ["100644", "blob", blob, Buffer.from([0x61, 0xfe, 0x2e, 0x74, 0x73])], // "a\xfe.ts": the same name once decoded lossily
      ["100644", "blob", blob, "a\uFFFD.ts"], // a real U+FFFD is a valid name
      ["100644", "blob", blob, "x.constructor"], // no language, though Object.prototype has that key
    ]);
    git(dir, "update-ref", "HEAD", git(dir, "commit-tree", top, "-p", "HEAD", "-m", "crafted"));
    return dir;
  }

  it("leaves out `.`/`..` segments and names that are not UTF-8 (and no name is taken for a language it is not)", async () => {
    const crafted = craftedRepo();
    for (const fetchLocal of [false, true]) {
      const result = await scan({}, crafted, fetchLocal);
      expect(result.files.map((f) => f.path)).toEqual(["a\uFFFD.ts", "ok.ts"]);
      expect(result.skipped).toEqual({ unsafe_path: 4, unsupported: 1 });
    }
  });
});

describe("scan rules", () => {
  it("classifies paths before reading them", () => {
    const cases: Record<string, string | undefined> = {
      ".env": "secret_file",
      "config/.env.production": "secret_file",
      "app.env": "secret_file",
      "certs/server.pem": "secret_file",
      "keys/deploy.key": "secret_file",
      "home/.ssh/id_ed25519": "secret_file",
      ".aws/credentials": "secret_file",
      ".npmrc": "secret_file",
      "gcp-credentials.json": "secret_file",
      "node_modules/x/index.js": "vendored",
      "vendor/lib.go": "vendored",
      "web/dist/app.js": "vendored",
      "package-lock.json": "vendored",
      "Cargo.lock": "vendored",
      "static/jquery.min.js": "generated",
      "api/service.pb.go": "generated",
      "src/index.ts": undefined,
      "src/environment.ts": undefined,
    };
    for (const [file, verdict] of Object.entries(cases)) expect(pathVerdict(file), file).toBe(verdict);
  });

  it("detects languages by extension and shebang", () => {
    expect(languageFromPath("src/App.TSX")).toBe("tsx");
    expect(languageFromPath("x.mts")).toBe("typescript");
    expect(languageFromPath("include/a.hpp")).toBe("cpp");
    expect(languageFromPath("README.md")).toBe("markdown");
    expect(languageFromPath("Makefile")).toBeUndefined();
    for (const name of ["a.constructor", "a.__proto__", "a.toString", "constructor", "hasOwnProperty"]) expect(languageFromPath(name), name).toBeUndefined();
    expect(languageFromShebang("#!/usr/bin/python3.12")).toBe("python");
    expect(languageFromShebang("#!/usr/bin/env ruby -w")).toBe("ruby");
    expect(languageFromShebang("#!/bin/sh")).toBe("bash");
    expect(languageFromShebang("#!/usr/bin/env -S deno run")).toBe("javascript");
    expect(languageFromShebang("// not a shebang")).toBeUndefined();
  });

  it("recognises generated and minified content", () => {
    expect(contentLooksGenerated("// Code generated by mockgen. DO NOT EDIT.\npackage x\n", "go")).toBe(true);
    expect(contentLooksGenerated("/* @generated */\nexport {};\n", "typescript")).toBe(true);
    expect(contentLooksGenerated(`${"var a=1;".repeat(1000)}\n`, "javascript")).toBe(true);
    expect(contentLooksGenerated("export function ok() {}\n".repeat(500), "typescript")).toBe(false);
  });
});
