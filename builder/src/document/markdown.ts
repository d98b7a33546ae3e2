/**
 * Small Markdown helpers. Everything here quotes text that comes from the repository (names,
 * signatures, doc comments, paths) or from the model, so none of it can open HTML, break out of a
 * code span, or change the structure of the page around it.
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

/**
 * Plain text as one line of Markdown (a paragraph, a list item's tail, a table cell, a heading):
 * it renders as the text itself. Only what could start markup where it stands is escaped, so
 * ordinary prose stays readable in the Markdown source too.
 */
export function escapeText(text: string): string {
  return PLAIN_TEXT.test(text) ? text : escapeBlockStart(escapeInline(oneLine(text)));
}

/** Text that nothing above would change ("lines 10-20", a language's name): most of what pages escape. */
const PLAIN_TEXT = /^[A-Za-z](?:[A-Za-z0-9 ,:-]*[A-Za-z0-9,:-])?$/;

/** A line break would let the next line start a block of its own (a fence, a heading, a list). */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]\s*/g, " ").trim();
}

/**
 * HTML, and the characters of inline markup: code, emphasis, strikethrough, links, images, cells;
 * and `ftp://`, which GFM would link by itself (http(s) and www. links may stay).
 */
function escapeInline(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/[<>&]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[char] ?? char)
    .replace(/[`*_~[\]#|!]/g, "\\$&")
    .replace(/\b(ftp):\/\//gi, "$1\\://");
}

/**
 * At the start of a line "- x", "+ x" and "1. x" open a list and "---" draws a rule; elsewhere in
 * the line they are plain text. (# > ` ~ | * < are escaped wherever they are.)
 */
function escapeBlockStart(line: string): string {
  return line.replace(/^[-+](?=\s|$)|^-(?=[-\s]*$)/, "\\$&").replace(/^(\d{1,9})([.)])(?=\s|$)/, "$1\\$2");
}

/**
 * Relative link from docs/index.md to the page of a source file (docs/files/<path>.md). Beyond
 * encodeURIComponent, ( and ) are encoded, since either can end a Markdown link destination, and
 * with them ! * ' (the other characters RFC 3986 reserves that encodeURIComponent leaves).
 */
export function filePageLink(path: string): string {
  return `files/${path.split("/").map(encodePathSegment).join("/")}.md`;
}

function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
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

/**
 * "[source](<relative link to source/<path>#L..>)" from a page under docs/files/, and the host's
 * link at the commit when the repository lives on a known host.
 */
export function sourceLink(path: string, lines: [number, number] | undefined, hostUrl: string | undefined, label = "source"): string {
  const fragment = lines ? `#L${lines[0]}${lines[1] !== lines[0] ? `-L${lines[1]}` : ""}` : "";
  const encoded = encodedPath(path);
  const depth = path.split("/").length + 1; // docs/files/<dirs>/<name>.md → back to the root
  const local = `${"../".repeat(depth)}source/${encoded}${fragment}`;
  const host = hostUrl ? ` ([at the host](${hostUrl}${encoded}${fragment}))` : "";
  return `[${escapeText(label)}](${local})${host}`;
}

/**
 * A path's segments encoded for a link, remembered for the last path asked: pages and symbols.json
 * ask file by file, for every symbol (350,000 on the 20,000-file benchmark).
 */
let lastPath: string | undefined;
let lastEncoded = "";
function encodedPath(path: string): string {
  if (path !== lastPath) {
    lastEncoded = path.split("/").map(encodePathSegment).join("/");
    lastPath = path;
  }
  return lastEncoded;
}

/** The host's URL of a file's lines at the commit. */
export function hostLineUrl(hostUrl: string, path: string, start: number, end: number): string {
  return `${hostUrl}${encodedPath(path)}#L${start}${end !== start ? `-L${end}` : ""}`;
}
