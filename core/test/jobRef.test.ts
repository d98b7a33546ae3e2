import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { gitRefProblem, parseRepo } from "../src/jobRef";

const gitAccepts = (ref: string) => spawnSync("git", ["check-ref-format", `refs/heads/${ref}`]).status === 0;

describe("git refs", () => {
  const accepted = ["main", "feature/x", "release-1.2", "v1.0.0", "a".repeat(40), "user/name/topic", "héllo"];
  const refused = [
    "", "-b", "--upload-pack=touch /tmp/x", "../../etc", "a..b", "a b", "a\tb", "a\u0001b", "a~1", "a^", "a:b", "a?", "a*", "a[b",
    "a\\b", "/a", "a/", "a//b", "a.", ".a", "a/.b", "a.lock", "a/b.lock/c", "@", "a@{1}", "x".repeat(256),
  ];

  it.each(accepted)("accepts %j, as git check-ref-format does", (ref) => {
    expect(gitRefProblem(ref)).toBeNull();
    expect(gitAccepts(ref)).toBe(true);
  });

  it.each(refused)("refuses %j", (ref) => {
    expect(gitRefProblem(ref)).not.toBeNull();
  });

  it("never accepts something git would refuse", () => {
    for (const ref of refused) if (!gitAccepts(ref)) expect(gitRefProblem(ref)).not.toBeNull();
  });
});

describe("repositories", () => {
  const stage = process.env.DOCTOWN_STAGE;
  afterEach(() => {
    if (stage === undefined) delete process.env.DOCTOWN_STAGE;
    else process.env.DOCTOWN_STAGE = stage;
  });

  it("parses GitHub owner/name", () => {
    process.env.DOCTOWN_STAGE = "prod";
    expect(parseRepo("octo-org/my.repo_1")).toEqual({ kind: "github", owner: "octo-org", name: "my.repo_1", fullName: "octo-org/my.repo_1" });
    for (const bad of ["octo", "a/b/c", "-a/b", "a-/b", "a--b/c", "a/..", "a/.", "a/b c", "/tmp", "file:///tmp", "a/" + "x".repeat(101)])
      expect(() => parseRepo(bad), bad).toThrow(expect.objectContaining({ code: "invalid_repo", status: 400 }));
  });

  it("accepts local directories only on the local stage", () => {
    process.env.DOCTOWN_STAGE = "local";
    expect(parseRepo("/tmp")).toEqual({ kind: "local", path: "/tmp" });
    expect(parseRepo("file:///tmp/")).toEqual({ kind: "local", path: "/tmp" });
    expect(() => parseRepo("/definitely/not/here")).toThrow(expect.objectContaining({ code: "repo_not_found" }));
    expect(() => parseRepo("file://remote-host/share")).toThrow(expect.objectContaining({ status: 400 }));
  });
});
