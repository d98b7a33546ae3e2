/**
 * Writes core/schema/docpack-v1.schema.json, the JSON Schema (draft 2020-12) of a docpack's three JSON
 * documents, from the zod schemas in @doctown/core/docpackFormat. Run after changing the format:
 *   node --import tsx scripts/docpack-schema.ts          (write)
 *   node --import tsx scripts/docpack-schema.ts --check  (exit 1 when the file is stale)
 * builder/test/schemaFile.test.ts fails while the committed file differs from the schemas.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DOCPACK_FORMAT_VERSION, DOCPACK_PATHS, docpackJsonSchemas } from "@doctown/core/docpackFormat";

export const SCHEMA_FILE = fileURLToPath(new URL("../core/schema/docpack-v1.schema.json", import.meta.url));

export function docpackSchemaText(): string {
  const defs = Object.fromEntries(
    Object.entries(docpackJsonSchemas()).map(([name, schema]) => {
      const { $schema: _drop, ...rest } = schema as Record<string, unknown>;
      return [name, rest];
    }),
  );
  const document = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://doctown.dev/schema/docpack-v${DOCPACK_FORMAT_VERSION}.schema.json`,
    title: `Doctown docpack v${DOCPACK_FORMAT_VERSION}`,
    description: `Schemas of the JSON documents in a docpack ZIP: $defs.manifest for ${DOCPACK_PATHS.manifest}, $defs.files for ${DOCPACK_PATHS.files}, $defs.symbols for ${DOCPACK_PATHS.symbols}. Generated from core/src/docpackFormat.ts by scripts/docpack-schema.ts; do not edit.`,
    $defs: defs,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = docpackSchemaText();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(SCHEMA_FILE, "utf8");
    } catch {}
    if (current !== text) {
      console.error(`${SCHEMA_FILE} is stale: run node --import tsx scripts/docpack-schema.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
