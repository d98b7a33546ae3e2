/** Text helpers for signatures and doc comments. */
import { shorten } from "./limits";

const MAX_DOC = 2000;

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
