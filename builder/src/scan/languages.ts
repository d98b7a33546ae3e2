/**
 * Language detection by file name and shebang. Prose (Markdown/MDX, reStructuredText, AsciiDoc,
 * plain-text docs) is accepted as documentation: each becomes a page. Package manifests are
 * accepted as configuration (packages are read from them); other data formats (YAML, ...) are not.
 */
const BY_EXTENSION: Record<string, string> = {
  ts: "typescript", mts: "typescript", cts: "typescript",
  tsx: "tsx",
  js: "javascript", mjs: "javascript", cjs: "javascript", jsx: "javascript",
  py: "python", pyi: "python",
  go: "go",
  rs: "rust",
  java: "java",
  cs: "csharp",
  c: "c", h: "c",
  cc: "cpp", cpp: "cpp", cxx: "cpp", "c++": "cpp", hh: "cpp", hpp: "cpp", hxx: "cpp", ipp: "cpp",
  rb: "ruby", rake: "ruby", gemspec: "ruby",
  php: "php",
  sh: "bash", bash: "bash", zsh: "bash",
  kt: "kotlin", kts: "kotlin",
  swift: "swift",
  scala: "scala",
  lua: "lua",
  pl: "perl", pm: "perl",
  md: "markdown", markdown: "markdown", mdx: "markdown",
  rst: "restructuredtext",
  adoc: "asciidoc", asciidoc: "asciidoc",
  svelte: "svelte",
  vue: "vue",
};

/** Prose languages: their files become pages, not symbol lists. */
const PROSE = new Set(["markdown", "restructuredtext", "asciidoc", "text"]);
export const isProse = (language: string) => PROSE.has(language);

/** Package manifests, read for `packages` (by exact file name). */
const MANIFESTS: Record<string, string> = {
  "package.json": "json",
  "pyproject.toml": "toml",
  "setup.cfg": "ini",
  "go.mod": "gomod",
  "cargo.toml": "toml",
};

/** Plain text counts as prose under a docs directory or with a documentation name. */
const TEXT_DOC_NAME = /^(readme|changelog|changes|history|contributing|authors|news|install|usage|faq)(\.[a-z]+)?\.txt$/i;
const DOCS_DIR = /(^|\/)(docs?|documentation)\//i;

const BY_NAME: Record<string, string> = {
  rakefile: "ruby",
  gemfile: "ruby",
  "readme": "markdown",
};

const BY_INTERPRETER: Array<[RegExp, string]> = [
  [/^(node|nodejs|deno|bun)$/, "javascript"],
  [/^(ts-node|tsx)$/, "typescript"],
  [/^python[0-9.]*$/, "python"],
  [/^ruby$/, "ruby"],
  [/^(bash|sh|zsh|dash|ksh)$/, "bash"],
  [/^php[0-9.]*$/, "php"],
  [/^perl[0-9.]*$/, "perl"],
  [/^lua[0-9.]*$/, "lua"],
];

/** Language from the file name, or undefined (a shebang may still decide). */
export function languageFromPath(filePath: string): string | undefined {
  const base = filePath.slice(filePath.lastIndexOf("/") + 1).toLowerCase();
  if (Object.hasOwn(MANIFESTS, base)) return MANIFESTS[base];
  if (base.endsWith(".txt")) return TEXT_DOC_NAME.test(base) || DOCS_DIR.test(filePath) ? "text" : undefined;
  const dot = base.lastIndexOf(".");
  return dot > 0 ? ownValue(BY_EXTENSION, base.slice(dot + 1)) : ownValue(BY_NAME, base);
}

/** Not `table[key]`: a file named `x.constructor` or `__proto__` would find Object.prototype's members. */
function ownValue(table: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Whether a file with this name could still be source code once its first line is seen. */
export function mayHaveShebang(filePath: string): boolean {
  const base = filePath.slice(filePath.lastIndexOf("/") + 1);
  return !base.slice(1).includes(".");
}

export function languageFromShebang(firstLine: string): string | undefined {
  const match = /^#!\s*(\S+)(?:\s+(.*))?$/.exec(firstLine.trim());
  if (!match) return undefined;
  let program = match[1].slice(match[1].lastIndexOf("/") + 1);
  if (program === "env") {
    // "#!/usr/bin/env -S node --flag" → node
    program = (match[2] ?? "").split(/\s+/).find((word) => word && !word.startsWith("-") && !word.includes("=")) ?? "";
  }
  return BY_INTERPRETER.find(([re]) => re.test(program))?.[1];
}
