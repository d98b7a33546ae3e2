#!/usr/bin/env node
// The builder is TypeScript run directly: register tsx, then start the CLI.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
