/**
 * Line-based fallback for languages without a shipped grammar (Kotlin, Swift, Scala, Lua, Perl).
 * Finds declarations by keyword; parents come from indentation; end lines are not known, so a
 * symbol ends where it starts.
 */
import type { SymbolKind } from "@doctown/core/docpackFormat";
import type { RawSymbol } from "./treeSitter";
import { boundedName, boundedParent, MAX_SYMBOL_DEPTH } from "./limits";
import { cleanComment } from "./text";

type Rule = { re: RegExp; kind: (keyword: string) => SymbolKind };

const MODIFIERS = String.raw`(?:(?:public|private|internal|protected|open|abstract|final|data|sealed|inline|override|suspend|static|case|implicit|lazy|fileprivate|mutating|async|annotation|enum|inner|value)\s+)*`;

const keywordKind = (keyword: string): SymbolKind => {
  if (/class|object/.test(keyword)) return "class";
  if (/interface|protocol/.test(keyword)) return "interface";
  if (keyword === "trait") return "trait";
  if (keyword === "struct") return "struct";
  if (keyword === "enum") return "enum";
  if (/typealias|type/.test(keyword)) return "type";
  if (keyword === "extension") return "class";
  if (/val|let|const/.test(keyword)) return "constant";
  if (/var/.test(keyword)) return "variable";
  if (keyword === "init") return "constructor";
  return "function";
};

const RULES: Record<string, Rule[]> = {
  kotlin: [{ re: new RegExp(String.raw`^(\s*)${MODIFIERS}(class|interface|object|fun|typealias|const val)\s+(?:<[^>]*>\s*)?(?:[\w.]+\.)?(\w+)`), kind: keywordKind }],
  swift: [{ re: new RegExp(String.raw`^(\s*)(?:@\w+\s+)*${MODIFIERS}(class|struct|enum|protocol|extension|func|typealias)\s+([\w.]+)`), kind: keywordKind }],
  scala: [{ re: new RegExp(String.raw`^(\s*)${MODIFIERS}(class|object|trait|def|type)\s+(\w+)`), kind: keywordKind }],
  lua: [{ re: /^(\s*)(?:local\s+)?(function)\s+([\w.:]+)/, kind: keywordKind }],
  perl: [{ re: /^(\s*)(sub|package)\s+([\w:]+)/, kind: (k) => (k === "package" ? "module" : "function") }],
};

const CONTAINERS = new Set<SymbolKind>(["class", "interface", "trait", "struct", "enum", "module"]);

export function hasRegexRules(language: string): boolean {
  return Object.hasOwn(RULES, language); // not `in`, see hasGrammar
}

export function extractWithRegex(language: string, source: string): RawSymbol[] {
  const rules = RULES[language] ?? [];
  const lines = source.split("\n");
  const symbols: RawSymbol[] = [];
  const scopes: Array<{ indent: number; qualified: string }> = [];
  lines.forEach((line, index) => {
    for (const rule of rules) {
      const match = rule.re.exec(line);
      if (!match) continue;
      const indent = match[1].length;
      const keyword = match[2];
      const name = boundedName(match[3].split(/[.:]/).filter(Boolean).pop() ?? match[3]);
      while (scopes.length > 0 && scopes[scopes.length - 1].indent >= indent) scopes.pop();
      const parent = boundedParent(scopes[scopes.length - 1]?.qualified);
      let kind = rule.kind(keyword);
      if (kind === "function" && parent) kind = "method";
      // Too deep to list, but still a scope below: whatever it contains is too deep as well.
      if (scopes.length < MAX_SYMBOL_DEPTH)
        symbols.push({
          name,
          kind,
          parent,
          signature: line.trim().replace(/\s*[{=]\s*$/, "").slice(0, 240),
          start_line: index + 1,
          end_line: index + 1,
          exported: !/\b(private|fileprivate|local)\b/.test(line) && !name.startsWith("_"),
          doc_comment: commentAbove(lines, index),
        });
      if (CONTAINERS.has(kind)) scopes.push({ indent, qualified: parent ? `${parent}.${name}` : name });
      break;
    }
  });
  return symbols;
}

function commentAbove(lines: string[], index: number): string | undefined {
  const block: string[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const text = lines[i].trim();
    if (/^(\/\/|\*|\/\*|#|--)/.test(text) || text.endsWith("*/")) block.unshift(text.replace(/^--+\s?/, ""));
    else break;
  }
  return block.length > 0 ? cleanComment(block.join("\n")) : undefined;
}
