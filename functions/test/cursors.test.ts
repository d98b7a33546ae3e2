/**
 * Pagination cursors are attacker-controlled: every tampered form (extra or missing key attributes,
 * wrong types, another list's partition or prefix) is a 400 invalid_cursor, never a 500 — also on
 * the public commons list, which needs no session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordDocpack } from "@doctown/core/docpack";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { callApi, signIn } from "./support/api";

const alice = { id: 301, login: "alice", token: "gho_alice" };
let env: TestEnvironment;
let cookie: string;
beforeAll(async () => {
  env = await startTestEnvironment({ githubUsers: [alice] });
  cookie = await signIn(alice);
  for (let i = 0; i < 3; i++)
    await recordDocpack({ jobId: `job-${i}`, userId: String(alice.id), repo: "alice/p", gitRef: "main", commit: "c".repeat(40), objectKey: `docpacks/job-${i}.docpack.zip`, size: 1, sha256: "a".repeat(64), public: true });
});
afterAll(() => env?.stop());

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;

const LISTS = [
  { path: "/api/docpacks/public", auth: false },
  { path: "/api/docpacks", auth: true },
] as const;

describe("tampered pagination cursors", () => {
  for (const list of LISTS) {
    it(`${list.path}: every tampered cursor is a 400 invalid_cursor`, async () => {
      const options = list.auth ? { cookie } : {};
      const first = await callApi("GET", `${list.path}?limit=1`, options);
      expect(first.status).toBe(200);
      const valid = decode(first.json.next_cursor);
      expect((await callApi("GET", `${list.path}?limit=1&cursor=${first.json.next_cursor}`, options)).status).toBe(200);
      const [someKey] = Object.keys(valid);
      const sortKey = Object.keys(valid).find((name) => /^gsi\dsk$/.test(name))!;
      const tampered: Record<string, unknown> = {
        "extra attribute": { ...valid, extra: "x" },
        "missing attribute": Object.fromEntries(Object.entries(valid).filter(([name]) => name !== someKey)),
        "number value": { ...valid, [someKey]: 5 },
        "object value": { ...valid, [someKey]: { S: "x" } },
        "empty value": { ...valid, [someKey]: "" },
        "wrong sort prefix": { ...valid, [sortKey]: "JOB#2026" },
        array: [valid],
        null: null,
        string: "cursor",
        "empty object": {},
      };
      const statuses: string[] = [];
      for (const [name, value] of Object.entries(tampered)) {
        const response = await callApi("GET", `${list.path}?limit=1&cursor=${encode(value)}`, options);
        statuses.push(`${name}:${response.status}`);
        expect(response.status, name).toBe(400);
        expect(response.json.error.code, name).toBe("invalid_cursor");
      }
      console.log(`${list.path}: ${Object.keys(tampered).length} tampered cursors → ${statuses.filter((s) => s.endsWith(":400")).length} × 400`);
    });
  }
});
