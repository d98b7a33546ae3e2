import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docpackSchemaText, SCHEMA_FILE, schemaFile } from "../../scripts/docpack-schema";
import { buildDocpack } from "../src/build";
import { openDocpack } from "./fixtures/docpack";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";
import { SOURCES } from "./fixtures/sources";

let root: string;
beforeAll(() => {
  root = tempDir();
});
afterAll(() => removeDir(root));

describe("the shipped JSON Schemas (core/schema/docpack-v1.schema.json, docpack-v2.schema.json)", () => {
  it("are the ones generated from the zod schemas (run scripts/docpack-schema.ts when this fails)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(docpackSchemaText());
    expect(readFileSync(schemaFile(1), "utf8")).toBe(docpackSchemaText(1));
  });

  it("accepts a docpack the builder writes, and rejects a broken one", async () => {
    const repo = path.join(root, "schema-repo");
    createRepo(repo, Object.fromEntries(Object.entries(SOURCES).map(([file, s]) => [file, s.content])));
    const outFile = path.join(root, "schema.zip");
    await buildDocpack({ source: repo, outFile, allowLocal: true, llm: false, env: {} });
    const pack = openDocpack(outFile);

    const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema(schema);
    const check = (def: string, value: unknown) => ajv.validate(`${schema.$id}#/$defs/${def}`, value);
    for (const [def, entry] of [["manifest", "manifest.json"], ["files", "files.json"], ["symbols", "symbols.json"], ["search", "search.json"]] as const)
      expect(check(def, JSON.parse(pack.text(entry))), `${entry}: ${ajv.errorsText()}`).toBe(true);

    const broken = JSON.parse(pack.text("symbols.json"));
    broken[0].kind = "gizmo";
    expect(check("symbols", broken)).toBe(false);
    expect(check("manifest", { ...pack.manifest, repo: { ...pack.manifest.repo, commit: "HEAD" } })).toBe(false);
  });
});
