/** Which package a file belongs to: the innermost package directory that contains it. */
import { describe, expect, it } from "vitest";
import type { PackageEntry } from "@doctown/core/docpackFormat";
import { packageOfFile } from "../src/packages/discover";

const pkg = (name: string, path: string): PackageEntry => ({ name, path, manifest: `${path ? `${path}/` : ""}package.json`, page: `docs/packages/${name}.md`, ecosystem: "npm", entry_points: [] });

describe("packageOfFile", () => {
  const packages = [pkg("root", ""), pkg("a", "packages/a"), pkg("a-py", "packages/a"), pkg("inner", "packages/a/sub"), pkg("ab", "packages/ab")];
  const of = packageOfFile(packages);

  it("gives the innermost package directory holding the file, the first of two in one directory", () => {
    expect(of("packages/a/src/index.ts")?.name).toBe("a");
    expect(of("packages/a/sub/x.ts")?.name).toBe("inner");
    expect(of("packages/a/sub")?.name).toBe("a"); // a file named like a folder
    expect(of("packages/ab/x.ts")?.name).toBe("ab");
    expect(of("packages/abc/x.ts")?.name).toBe("root"); // a prefix of a name is not a folder
    expect(of("README.md")?.name).toBe("root");
    expect(packageOfFile(packages.slice(1))("README.md")).toBeUndefined();
    expect(packageOfFile(packages.slice(1))("packages/abc/x.ts")).toBeUndefined();
  });

  it("agrees with the longest containing directory on many paths", () => {
    const dirs = ["", "x", "x/y", "x/y/z", "xy", "x/yz", "q/x"];
    const all = dirs.map((dir, i) => pkg(`p${i}`, dir));
    let seed = 7;
    const pick = <T>(list: T[]) => list[(seed = (seed * 48271) % 2147483647) % list.length]!;
    for (let round = 0; round < 200; round++) {
      const chosen = all.filter(() => pick([true, false]));
      const find = packageOfFile(chosen);
      const path = Array.from({ length: 1 + (round % 4) }, () => pick(["x", "y", "z", "xy", "yz", "q"])).join("/") + "/f.ts";
      const longest = [...chosen].sort((a, b) => b.path.length - a.path.length).find((p) => p.path === "" || path.startsWith(`${p.path}/`));
      expect(find(path)?.name, path).toBe(longest?.name);
    }
  });
});
