/**
 * A generated multi-package repository for the viewer's tests: two packages with a public API,
 * tests and examples that use the same names in lower case (which must rank below the API),
 * a README with headings, and `fillerFiles` more small modules to make it as large as wanted.
 */
import { makeRepo, type TestRepo } from "@doctown/testing/repos";

export function makeMonorepo(fillerFiles = 0): TestRepo {
  return makeRepo(monorepoFiles(fillerFiles));
}

/** The repository's files (path → content), for tests that derive what a build of it must find. */
export function monorepoFiles(fillerFiles = 0): Record<string, string> {
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "acme-query", private: true, workspaces: ["packages/*"] }, null, 2),
    "README.md": "# Acme Query\n\nFetch, cache and update data.\n\n## Getting started\n\nCreate a client.\n\n## Caching strategies\n\nStale while revalidate.\n",
    "packages/query-core/package.json": JSON.stringify({ name: "@acme/query-core", version: "1.2.0", main: "src/index.ts", description: "The framework-free core" }, null, 2),
    "packages/query-core/src/index.ts": 'export { QueryClient } from "./queryClient";\nexport type { QueryOptions } from "./types";\n',
    "packages/query-core/src/types.ts": "/** How a query is fetched. */\nexport interface QueryOptions {\n  key: string;\n  staleTime?: number;\n}\n",
    "packages/query-core/src/queryClient.ts": [
      'import type { QueryOptions } from "./types";',
      "",
      "/**",
      " * The cache of every query, and the way to fetch one.",
      " *",
      " * ```ts",
      " * const client = new QueryClient();",
      " * ```",
      " */",
      "export class QueryClient {",
      "  private cache = new Map<string, unknown>();",
      "",
      "  /** Fetches a query, or answers from the cache while it is fresh. */",
      "  async fetchQuery(options: QueryOptions): Promise<unknown> {",
      "    return this.cache.get(options.key);",
      "  }",
      "",
      "  /** Forgets every cached query. */",
      "  clear(): void {",
      "    this.cache.clear();",
      "  }",
      "}",
      "",
    ].join("\n"),
    "packages/query-core/src/queryClient.test.ts": 'import { QueryClient } from "./queryClient";\n\nconst queryClient = new QueryClient();\nexport function testQueryClient() {\n  return queryClient;\n}\n',
    "packages/react/package.json": JSON.stringify({ name: "@acme/react", version: "1.2.0", main: "src/index.ts" }, null, 2),
    "packages/react/src/index.ts": 'export { useQuery } from "./useQuery";\n',
    "packages/react/src/useQuery.ts": 'import type { QueryClient } from "@acme/query-core";\n\n/** Reads a query from the client. */\nexport function useQuery(client: QueryClient, key: string) {\n  return client.fetchQuery({ key });\n}\n',
    "examples/basic/src/app.ts": 'import { QueryClient } from "@acme/query-core";\n\nexport const queryclient = new QueryClient();\nexport function queryClientExample() {\n  return queryclient;\n}\n',
  };
  for (let i = 0; i < fillerFiles; i++) {
    const dir = `packages/query-core/src/generated/group${String(Math.floor(i / 100)).padStart(2, "0")}`;
    files[`${dir}/module${i}.ts`] = `/** Helper number ${i}. */\nexport function helper${i}(value: number): number {\n  return value + ${i};\n}\n`;
  }
  return files;
}
