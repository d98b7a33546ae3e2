/** Text helpers for signatures and doc comments. */
import type { Node } from "web-tree-sitter";
import { shorten } from "./limits";

const MAX_SIGNATURE = 240;
const MAX_DOC = 2000;

/** The declaration up to its body (or its first lines), whitespace collapsed, bounded. */
export function makeSignature(source: string, node: Node): string {
  const body =
    node.childForFieldName("body") ??
    node.childForFieldName("value")?.childForFieldName("body") ??
    node.childForFieldName("declarator")?.childForFieldName("value")?.childForFieldName("body");
  const end = body && body.startIndex > node.startIndex ? body.startIndex : node.endIndex;
  let text = source.slice(node.startIndex, Math.min(end, node.startIndex + 4 * MAX_SIGNATURE));
  if (!body) {
    // No body field: the first line, without an inline type or struct body.
    text = text.split("\n")[0];
    const brace = text.indexOf("{");
    if (brace > 0) text = text.slice(0, brace);
  }
  text = text.replace(/\s+/g, " ").trim().replace(/\s*[{:=]$/, "").trim();
  return shorten(text, MAX_SIGNATURE);
}

/** Strips comment markers (/** *\/, //, ///, #, """) and common indentation. */
export function cleanComment(raw: string): string | undefined {
  let text = raw.trim();
  if (/^[rRuUbBfF]{0,2}("""|''')/.test(text)) text = text.replace(/^[rRuUbBfF]{0,2}("""|''')/, "").replace(/("""|''')$/, "");
  else if (/^[rRuUbBfF]{0,2}["']/.test(text)) text = text.replace(/^[rRuUbBfF]{0,2}["']/, "").replace(/["']$/, "");
  const lines = text
    .split("\n")
    .map((line) =>
      line
        .trim()
        .replace(/^\/\*+!?\s?/, "")
        .replace(/\s*\*+\/$/, "")
        .replace(/^\*(?!\/)\s?/, "")
        .replace(/^\/\/[/!]?\s?/, "")
        .replace(/^#+'?\s?/, "")
        .replace(/^=begin|^=end/, "")
        .trimEnd(),
    );
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const cleaned = lines.join("\n");
  if (!cleaned) return undefined;
  return shorten(cleaned, MAX_DOC);
}
