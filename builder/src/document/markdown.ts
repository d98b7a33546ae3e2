/**
 * Small Markdown helpers. Everything here quotes text that comes from the repository (names,
 * signatures, doc comments, paths), so none of it can open HTML or break out of a code span.
 */

/** An inline code span that survives backticks inside the text. */
export function inlineCode(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(text: string, language = ""): string {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}${safeInfo(language)}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

/** Plain text as a Markdown paragraph: HTML and Markdown control characters are escaped. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/[<>&]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[char] ?? char)
    .replace(/([`*_[\]#|!])/g, "\\$1");
}

/** Relative link from docs/index.md to the page of a source file (docs/files/<path>.md). */
export function filePageLink(path: string): string {
  return `files/${path.split("/").map(encodeURIComponent).join("/")}.md`;
}

/** Doc comments without their comment markers, as plain lines. */
export function cleanDocComment(comment: string): string {
  return comment
    .replace(/^\s*\/\*\*?/, "")
    .replace(/\*\/\s*$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*(\*|\/\/\/?|#|"""|''')\s?/, "").trimEnd())
    .join("\n")
    .replace(/^(\s*("""|'''))|(("""|''')\s*)$/g, "")
    .trim();
}

/** The first sentence (or first line) of a doc comment, for one-line summaries. */
export function firstSentence(text: string, maxLength = 200): string {
  const firstParagraph = text.split(/\n\s*\n/)[0]?.replace(/\s+/g, " ").trim() ?? "";
  const sentence = /^(.+?[.!?])(\s|$)/.exec(firstParagraph)?.[1] ?? firstParagraph;
  return sentence.length > maxLength ? `${sentence.slice(0, maxLength - 3)}...` : sentence;
}

function safeInfo(language: string): string {
  return language.replace(/[^a-z0-9+#-]/gi, "");
}
