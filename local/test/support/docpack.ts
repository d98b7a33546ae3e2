/** Downloads a docpack through the API (following the 302 like a browser) and checks it against the format. */
import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
import { expect } from "vitest";
import { DOCPACK_PATHS, FilesJson, Manifest, SymbolsJson } from "@doctown/core/docpackFormat";
import type { ApiClient } from "./client";

export async function downloadDocpack(client: ApiClient, docpackId: string) {
  const redirect = await client.get(`/api/docpacks/${docpackId}/download`, { redirect: "manual" });
  expect(redirect.status).toBe(302);
  const location = redirect.headers.get("location")!;
  expect(new URL(location).hostname).toBe("127.0.0.1");
  const object = await fetch(location);
  expect(object.status).toBe(200);
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

export function readDocpack(bytes: Uint8Array) {
  const entries = unzipSync(bytes);
  const text = (path: string) => {
    expect(entries[path], `${path} in the docpack`).toBeDefined();
    return new TextDecoder().decode(entries[path]);
  };
  return {
    paths: Object.keys(entries),
    manifest: Manifest.parse(JSON.parse(text(DOCPACK_PATHS.manifest))),
    files: FilesJson.parse(JSON.parse(text(DOCPACK_PATHS.files))),
    symbols: SymbolsJson.parse(JSON.parse(text(DOCPACK_PATHS.symbols))),
    text,
  };
}
