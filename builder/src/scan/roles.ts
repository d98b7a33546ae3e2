/**
 * What a file is for, from its path (and language): the code a package ships (`source`), its tests,
 * examples, prose (`docs`), configuration and package manifests (`config`), or `generated` code that
 * scan kept. The overview, llms.txt and the search index put `source` first and keep the rest apart.
 */
import type { FileRole } from "@doctown/core/docpackFormat";
import { isProse } from "./languages";

const TEST_DIRS = new Set(["test", "tests", "__tests__", "__test__", "spec", "specs", "testing", "e2e", "__mocks__", "fixtures", "__fixtures__", "testdata", "test-utils", "benchmarks", "bench"]);
const TEST_NAME = /(\.|_|-)(test|spec|bench)\.[^.]+$|^test_.*\.py$|_test\.(go|py)$|^conftest\.py$|Tests?\.(java|cs|kt|swift|scala)$/;
const EXAMPLE_DIRS = new Set(["example", "examples", "demo", "demos", "sample", "samples", "playground", "playgrounds", "sandbox", "cookbook", "tutorial", "tutorials"]);
const DOCS_DIRS = new Set(["docs", "doc", "documentation", "website", "site", "guides"]);
const GENERATED_DIRS = new Set(["generated", "__generated__", "gen"]);
const CONFIG_NAME = /^(package\.json|tsconfig(\..*)?\.json|jsconfig\.json|pyproject\.toml|setup\.cfg|setup\.py|go\.mod|Cargo\.toml|Makefile|Dockerfile|[^/]*\.config\.[cm]?[jt]s|\.[^/]*rc(\.[cm]?[jt]s|\.json)?|vite\.config\..*|vitest\.config\..*|jest\.config\..*|webpack\.config\..*|rollup\.config\..*|babel\.config\..*|eslint\.config\..*|prettier\.config\..*|noxfile\.py|tasks\.py|conf\.py|Rakefile|Gemfile|build\.rs)$/;
const CONFIG_LANGUAGES = new Set(["json", "toml", "ini", "gomod"]);

export function fileRole(path: string, language: string): FileRole {
  const parts = path.split("/");
  const base = parts[parts.length - 1]!;
  const dirs = parts.slice(0, -1).map((dir) => dir.toLowerCase());
  if (CONFIG_LANGUAGES.has(language)) return "config";
  if (isProse(language)) return "docs";
  if (dirs.some((dir) => GENERATED_DIRS.has(dir))) return "generated";
  if (TEST_NAME.test(base) || dirs.some((dir) => TEST_DIRS.has(dir))) return "test";
  if (dirs.some((dir) => EXAMPLE_DIRS.has(dir))) return "example";
  if (CONFIG_NAME.test(base) || dirs[0] === ".github" || dirs[0] === "scripts" || dirs[0] === ".circleci") return "config";
  if (dirs.some((dir) => DOCS_DIRS.has(dir))) return "docs";
  return "source";
}

/** Sort weight of a role: lower first. */
export const ROLE_RANK: Record<FileRole, number> = { source: 0, docs: 1, example: 2, test: 3, config: 4, generated: 5 };
