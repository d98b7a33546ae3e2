/**
 * Language detection by file name and shebang. Markdown is accepted as documentation (no symbols)
 * because READMEs are what an overview is made from; other data formats (JSON, YAML, ...) are not.
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
};

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
