/** The doctown-build bin starts the bundle only while it is newer than every source it inlines. */
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript without declarations (it runs before TypeScript can)
import { pickEntry } from "../bin/entry.js";
import { removeDir, tempDir } from "./fixtures/gitRepo";

const root = tempDir();
afterAll(() => removeDir(root));

/** A workspace layout (builder/ beside core/) with each file's modification time in seconds. */
function layout(name: string, files: Record<string, number>): string {
  const base = path.join(root, name);
  for (const [file, seconds] of Object.entries(files)) {
    const full = path.join(base, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, "");
    utimesSync(full, seconds, seconds);
  }
  // Directories count too (a deleted source changes its directory): as old as the oldest source.
  for (const dir of readdirSync(base, { recursive: true, withFileTypes: true })) {
    if (dir.isDirectory()) utimesSync(path.join(dir.parentPath, dir.name), 100, 100);
  }
  return path.join(base, "builder");
}

describe("the doctown-build bin's entry", () => {
  const sources = { "builder/src/main.ts": 100, "builder/src/stages/pack.ts": 100, "core/src/docpackFormat.ts": 100 };

  it("is the bundle when it was built after every source of the builder and core", () => {
    const builder = layout("fresh", { ...sources, "builder/dist/cli.mjs": 200 });
    expect(pickEntry(builder)).toEqual({ bundle: true, file: path.join(builder, "dist", "cli.mjs") });
  });

  it("is the TypeScript sources when there is no bundle, or a source changed after it was built", () => {
    const sourcesEntry = (builder: string) => ({ bundle: false, file: path.join(builder, "src", "main.ts") });
    const none = layout("none", sources);
    expect(pickEntry(none)).toEqual(sourcesEntry(none));
    const builderEdited = layout("builder-edited", { ...sources, "builder/dist/cli.mjs": 200, "builder/src/stages/pack.ts": 300 });
    expect(pickEntry(builderEdited)).toEqual(sourcesEntry(builderEdited));
    const coreEdited = layout("core-edited", { ...sources, "builder/dist/cli.mjs": 200, "core/src/docpackFormat.ts": 300 });
    expect(pickEntry(coreEdited)).toEqual(sourcesEntry(coreEdited));
    const removed = layout("removed", { ...sources, "builder/dist/cli.mjs": 200 });
    utimesSync(path.join(removed, "src", "stages"), 300, 300);
    expect(pickEntry(removed)).toEqual(sourcesEntry(removed));
  });
});
