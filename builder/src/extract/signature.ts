/**
 * Signatures: a definition's declaration — name, parameters with their types and defaults,
 * generics, return type — as one normalised line of at most SIGNATURE_MAX_CHARS (then "…"),
 * however many lines it spans in the source. Functions stop where their body starts; classes,
 * structs and the like at their opening brace; variables, constants and properties keep a short
 * value and lose a long one (its type annotation stays). Comments inside the declaration go.
 */
import type { Node } from "web-tree-sitter";
import { SIGNATURE_MAX_CHARS, type SymbolKind } from "@doctown/core/docpackFormat";

const CONTAINERS = new Set<SymbolKind>(["class", "struct", "interface", "enum", "trait", "module"]);
const VALUES = new Set<SymbolKind>(["variable", "constant", "property"]);
const SHORT_VALUE = 120;
/** Source read at most: a declaration this long is cut anyway. */
const MAX_READ = 8 * SIGNATURE_MAX_CHARS;
const HASH_COMMENTS = new Set(["python", "ruby", "bash", "perl"]);

/** `ancestors`: the node's parent, grandparent and further wrappers (see ExportContext), read for the keywords the node leaves out. */
export function makeSignature(source: string, node: Node, kind: SymbolKind, language: string, ancestors: readonly Node[]): string {
  const body =
    node.childForFieldName("body") ??
    node.childForFieldName("value")?.childForFieldName("body") ??
    node.childForFieldName("declarator")?.childForFieldName("value")?.childForFieldName("body");
  const hasBody = !!body && body.startIndex > node.startIndex;
  const end = hasBody ? body!.startIndex : node.endIndex;
  let text = source.slice(node.startIndex, Math.min(end, node.startIndex + MAX_READ));
  text = withoutComments(text, HASH_COMMENTS.has(language));
  if (!hasBody && CONTAINERS.has(kind)) text = upToTopLevel(text, "{");
  else if (!hasBody && VALUES.has(kind)) {
    const flat = normalise(text);
    if (flat.length > SHORT_VALUE) text = upToTopLevel(text, "=");
  }
  const line = withoutTrailingPunctuation(normalise(`${declarationPrefix(node, ancestors)}${text}`)).trim();
  return line.length > SIGNATURE_MAX_CHARS ? `${line.slice(0, SIGNATURE_MAX_CHARS - 1).trimEnd()}…` : line;
}

/** Keywords the definition's node leaves out: `export`, `export default`, `declare`, `const`/`let`/`var`. */
function declarationPrefix(node: Node, ancestors: readonly Node[]): string {
  const parts: string[] = [];
  let child = node;
  for (const parent of ancestors) {
    const type = parent.type; // asked of tree-sitter on each read
    if (type === "lexical_declaration" || type === "variable_declaration") {
      if (node.type === "variable_declarator") parts.unshift(parent.firstChild?.text ?? "");
    } else if (type === "export_statement") {
      const isDefault = parent.children.some((c) => c?.type === "default" && c.startIndex < child.startIndex);
      parts.unshift(isDefault ? "export default" : "export");
    } else if (type === "ambient_declaration") parts.unshift("declare");
    else if (type === "type_declaration" || type === "const_declaration" || type === "var_declaration")
      parts.unshift(parent.firstChild?.text ?? ""); // Go: type / const / var
    else break;
    child = parent;
  }
  return parts.filter(Boolean).map((part) => `${part} `).join("");
}

/** Tokens that end a declaration's head: `{`, `:`, `=`, `;`, `,`, `=>`. */
const HEAD_END = new Set(["{", ":", "=", ";", ","]);

/** `line` without the head-ending tokens (and the white space before each) it ends with. */
export function withoutTrailingPunctuation(line: string): string {
  let end = line.length;
  for (;;) {
    let at = end;
    if (at >= 2 && line.startsWith("=>", at - 2)) at -= 2;
    else if (at > 0 && HEAD_END.has(line[at - 1]!)) at--;
    else return line.slice(0, end);
    while (at > 0 && classOf(line.charCodeAt(at - 1)) === SPACE) at--;
    end = at;
  }
}

/** Line and block comments removed, strings left alone. */
function withoutComments(text: string, hash: boolean): string {
  // Without a comment's first character there is nothing to remove (strings are kept as written).
  if (!text.includes("/") && !(hash && text.includes("#"))) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"' || char === "'" || char === "`") {
      const close = findStringEnd(text, i);
      out += text.slice(i, close + 1);
      i = close;
    } else if (char === "/" && text[i + 1] === "/" && !/[:\w]/.test(text[i - 1] ?? " ")) {
      const newline = text.indexOf("\n", i);
      i = newline === -1 ? text.length : newline - 1;
    } else if (char === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 1;
      out += " ";
    } else if (hash && char === "#" && /\s/.test(text[i - 1] ?? "\n")) {
      const newline = text.indexOf("\n", i);
      i = newline === -1 ? text.length : newline - 1;
    } else out += char;
  }
  return out;
}

function findStringEnd(text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i;
    else if (text[i] === "\n" && quote !== "`") return i - 1;
  }
  return text.length - 1;
}

/** The text before the first `stop` outside brackets and strings (Go `type T struct {`, `x = …`). */
function upToTopLevel(text: string, stop: "{" | "="): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"' || char === "'" || char === "`") i = findStringEnd(text, i);
    else if (char === "(" || char === "[" || (char === "{" && stop !== "{")) depth++;
    else if (char === ")" || char === "]" || (char === "}" && stop !== "{")) depth = Math.max(0, depth - 1);
    else if (depth === 0 && char === stop && (stop === "{" || (text[i + 1] !== "=" && text[i + 1] !== ">" && !/[=!<>]/.test(text[i - 1] ?? "")))) return text.slice(0, i);
  }
  return text;
}

/** Character classes for normalise (ASCII; other white space is tested with \s). */
const PLAIN = 0;
const SPACE = 1;
const QUOTE = 2;
const OPENER = 3;
const CLOSER = 4;
const CLASSES = new Uint8Array(128);
for (const char of " \t\n\v\f\r") CLASSES[char.charCodeAt(0)] = SPACE;
for (const char of "\"'`") CLASSES[char.charCodeAt(0)] = QUOTE;
for (const char of "([{<") CLASSES[char.charCodeAt(0)] = OPENER;
for (const char of ")]}>") CLASSES[char.charCodeAt(0)] = CLOSER;
const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{", ">": "<" };

function classOf(code: number): number {
  if (code < 128) return CLASSES[code]!;
  return /\s/.test(String.fromCharCode(code)) ? SPACE : PLAIN;
}

/**
 * What normalise changes: white space other than single spaces (or outside ASCII), a separator
 * before a closing bracket.
 */
const NEEDS_NORMALISING = /[\t\n\v\f\r]| {2}|[,;] *[)\]}>]|[^\x00-\x7f]/;

/**
 * One line: line breaks inside brackets vanish, a break between members of a `{ … }` type without
 * separators becomes "; ", trailing commas before a closing bracket go, other runs of white space
 * become one space. (Runs of other characters are copied at once: this runs for every symbol.)
 */
export function normalise(text: string): string {
  // Most signatures are one line with nothing to change.
  if (!NEEDS_NORMALISING.test(text)) return text.trim();
  let out = "";
  const stack: string[] = [];
  const length = text.length;
  for (let i = 0; i < length; ) {
    const kind = classOf(text.charCodeAt(i));
    if (kind === PLAIN) {
      let j = i + 1;
      while (j < length && classOf(text.charCodeAt(j)) === PLAIN) j++;
      out += text.slice(i, j);
      i = j;
      continue;
    }
    if (kind === QUOTE) {
      const close = findStringEnd(text, i);
      out += text.slice(i, close + 1).replace(/\s*\n\s*/g, " ");
      i = close + 1;
      continue;
    }
    if (kind === SPACE) {
      let j = i;
      let broke = false;
      for (let code; j < length && classOf((code = text.charCodeAt(j))) === SPACE; j++) if (code === 10) broke = true;
      const next = text[j] ?? "";
      i = j;
      if (!out || !next) continue;
      const trimmed = out.trimEnd();
      const previous = trimmed.slice(-1);
      const top = stack.at(-1);
      if ((previous === "(" || previous === "[" || (previous === "<" && top === "<")) && broke) out = trimmed;
      else if (broke && (next === ")" || next === "]" || (next === ">" && top === "<"))) out = trimmed;
      else if (broke && top === "{" && /[\w)\]>'"?]/.test(previous) && /[\w'"[(]/.test(next) && previous !== "{") out = `${trimmed}; `;
      else out = `${trimmed} `;
      continue;
    }
    const char = text[i]!;
    i++;
    if (kind === OPENER) {
      if (char !== "<" || /[\w$\s]/.test(out.slice(-1) || " ")) stack.push(char);
    } else {
      const opener = CLOSERS[char]!;
      if (char === ">" && (stack.at(-1) !== "<" || out.endsWith("="))) {
        out += char;
        continue;
      }
      if (stack.at(-1) === opener) stack.pop();
      // a trailing separator before the closer
      const trimmed = out.trimEnd();
      if (trimmed.endsWith(",") || (char === "}" && trimmed.endsWith(";"))) out = trimmed.slice(0, -1) + (char === "}" ? " " : "");
    }
    out += char;
  }
  return out.replace(/[ \t]+/g, " ").trim();
}
