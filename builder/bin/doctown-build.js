#!/usr/bin/env node
// Starts the CLI: the bundle `npm ci` builds (the workspace's `prepare` script; again with
// `npm run build -w @doctown/builder`) when it is up to date, else the sources through tsx.
import { fileURLToPath, pathToFileURL } from "node:url";
import { pickEntry } from "./entry.js";

const entry = pickEntry(fileURLToPath(new URL("..", import.meta.url)));
if (!entry.bundle) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(pathToFileURL(entry.file).href);
