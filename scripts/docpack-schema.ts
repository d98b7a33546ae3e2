/**
 * Writes core/schema/docpack-v<N>.schema.json (N = 1 and 2), the JSON Schema (draft 2020-12) of a
 * docpack's JSON documents, from the zod schemas in @doctown/core/docpackFormat. Run after changing the format:
 *   node --import tsx scripts/docpack-schema.ts          (write)
 *   node --import tsx scripts/docpack-schema.ts --check  (exit 1 when the file is stale)
 * builder/test/schemaFile.test.ts fails while the committed file differs from the schemas.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DOCPACK_FORMAT_VERSION, DOCPACK_FORMAT_VERSIONS, DOCPACK_PATHS, docpackJsonSchemas } from "@doctown/core/docpackFormat";

type Version = (typeof DOCPACK_FORMAT_VERSIONS)[number];
export const schemaFile = (version: Version) => fileURLToPath(new URL(`../core/schema/docpack-v${version}.schema.json`, import.meta.url));
/** The schema of the format the builder writes. */
export const SCHEMA_FILE = schemaFile(DOCPACK_FORMAT_VERSION);

const DOCUMENTS: Record<string, string> = {
  manifest: DOCPACK_PATHS.manifest,
  files: DOCPACK_PATHS.files,
  symbols: DOCPACK_PATHS.symbols,
  search: DOCPACK_PATHS.search,
};

export function docpackSchemaText(version: Version = DOCPACK_FORMAT_VERSION): string {
  const defs = Object.fromEntries(
    Object.entries(docpackJsonSchemas(version)).map(([name, schema]) => {
      const { $schema: _drop, ...rest } = schema as Record<string, unknown>;
      return [name, rest];
    }),
  );
  const document = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://doctown.dev/schema/docpack-v${version}.schema.json`,
    title: `Doctown docpack v${version}`,
    description: `Schemas of the JSON documents in a docpack ZIP: ${Object.keys(defs)
      .map((name) => `$defs.${name} for ${DOCUMENTS[name]}`)
      .join(", ")}. Generated from core/src/docpackFormat.ts by scripts/docpack-schema.ts; do not edit.`,
    $defs: defs,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const version of DOCPACK_FORMAT_VERSIONS) {
    const file = schemaFile(version);
    const text = docpackSchemaText(version);
    if (process.argv.includes("--check")) {
      let current = "";
      try {
        current = readFileSync(file, "utf8");
      } catch {}
      if (current !== text) {
        console.error(`${file} is stale: run node --import tsx scripts/docpack-schema.ts`);
        process.exit(1);
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
}
