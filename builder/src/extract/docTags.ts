/**
 * A cleaned doc comment taken apart: its Markdown body and its tags — JSDoc/TSDoc (@param,
 * @returns, @throws, @deprecated, @example, @see, {@link X}), Sphinx fields (:param x:, :returns:,
 * :raises E:) and Google-style sections (Args:, Returns:, Raises:, Example:). Pure text work, run
 * where the symbols are extracted. `links` hold target names; pack resolves them to symbol ids.
 */
import type { StructuredDoc } from "@doctown/core/docpackFormat";

type Draft = {
  body: string[];
  params: NonNullable<StructuredDoc["params"]>;
  returns?: string;
  throws: NonNullable<StructuredDoc["throws"]>;
  deprecated?: string;
  examples: string[];
  see: string[];
};

const INLINE_LINK = /\{@(?:link|linkcode|linkplain)\s+([^\s}|]+)(?:\s*\|\s*|\s+)?([^}]*)\}/g;

export function structuredDoc(comment: string): StructuredDoc | undefined {
  const links: Array<{ text: string; id: string }> = [];
  const text = comment.replace(INLINE_LINK, (_all, target: string, label: string) => {
    const shown = label.trim() || target;
    links.push({ text: shown, id: target.replace(/\(\)$/, "") });
    return "`" + shown.replace(/`/g, "") + "`";
  });
  const draft: Draft = { body: [], params: [], throws: [], examples: [], see: [] };
  const lines = text.split("\n");
  let current: { tag: string; lines: string[] } | undefined;
  let section: string | undefined; // Google style
  let inFence = false;
  const flush = () => {
    if (current) applyTag(draft, current.tag, current.lines.join("\n").trim());
    current = undefined;
  };
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const tag = inFence && !current ? undefined : /^\s*@(\w+)\b\s?(.*)$/.exec(line);
    const sphinx = inFence ? undefined : /^\s*:(param|parameter|arg|argument|type|returns?|rtype|raises?|except|exception)\b([^:]*):\s?(.*)$/.exec(line);
    const google = inFence ? undefined : /^\s*(Args|Arguments|Parameters|Params|Returns|Return|Yields|Raises|Throws|Examples?|Note|Notes|Deprecated):\s*$/.exec(line);
    if (tag && !(current?.tag === "example" && !/^\s*@\w/.test(line))) {
      flush();
      section = undefined;
      current = { tag: tag[1]!.toLowerCase(), lines: [tag[2] ?? ""] };
    } else if (sphinx) {
      flush();
      section = undefined;
      const kind = sphinx[1]!.toLowerCase();
      const name = sphinx[2]!.trim();
      if (kind === "type" || kind === "rtype") continue;
      const tagName = kind.startsWith("param") || kind.startsWith("arg") ? "param" : kind.startsWith("return") ? "returns" : "throws";
      current = { tag: tagName, lines: [`${tagName === "param" ? `${name.split(/\s+/).pop() ?? name} ` : tagName === "throws" && name ? `{${name}} ` : ""}${sphinx[3] ?? ""}`] };
    } else if (google && !current) {
      section = google[1]!.toLowerCase();
      if (section === "note" || section === "notes") {
        section = undefined;
        draft.body.push(line);
      }
    } else if (section && (line.trim() === "" || /^\s+/.test(line))) {
      googleLine(draft, section, line);
    } else if (current) current.lines.push(line);
    else {
      section = undefined;
      draft.body.push(line);
    }
  }
  flush();
  const markdown = draft.body.join("\n").trim();
  const out: StructuredDoc = { markdown };
  if (draft.params.length > 0) out.params = draft.params;
  if (draft.returns !== undefined) out.returns = draft.returns;
  if (draft.throws.length > 0) out.throws = draft.throws;
  if (draft.deprecated !== undefined) out.deprecated = draft.deprecated;
  if (draft.examples.length > 0) out.examples = draft.examples;
  if (draft.see.length > 0) out.see = draft.see;
  if (links.length > 0) out.links = links;
  const empty = !markdown && Object.keys(out).length === 1;
  return empty ? undefined : out;
}

function applyTag(draft: Draft, tag: string, value: string): void {
  switch (tag) {
    case "param":
    case "arg":
    case "argument":
    case "prop":
    case "property":
    case "typeparam":
    case "template": {
      // "{Type} name - text", "name - text", "[name=default] text"
      const match = /^(?:\{([^}]*)\}\s*)?(\[[^\]]+\]|[\w$.]+)\s*(?:-\s*)?([\s\S]*)$/.exec(value);
      if (!match) return;
      const name = match[2]!.replace(/^\[|\]$/g, "").split("=")[0]!;
      draft.params.push({ name: tag === "typeparam" || tag === "template" ? `<${name}>` : name, ...(match[1] ? { type: match[1] } : {}), description: match[3]!.trim() });
      return;
    }
    case "returns":
    case "return":
      draft.returns = value.replace(/^\{[^}]*\}\s*/, "");
      return;
    case "throws":
    case "throw":
    case "exception":
    case "raises": {
      const match = /^(?:\{([^}]*)\}\s*)?([\s\S]*)$/.exec(value)!;
      draft.throws.push({ ...(match[1] ? { type: match[1] } : {}), description: match[2]!.trim() });
      return;
    }
    case "deprecated":
      draft.deprecated = value;
      return;
    case "example":
      draft.examples.push(value.replace(/^```\w*\n?|\n?```$/g, "").trim());
      return;
    case "see":
      draft.see.push(value);
      return;
    default:
      // Other tags (@since, @default, @internal, ...) stay readable in the body.
      draft.body.push(`*@${tag}*${value ? ` ${value}` : ""}`);
  }
}

function googleLine(draft: Draft, section: string, line: string): void {
  const text = line.trim();
  if (!text) return;
  const entry = /^([\w*]+)\s*(?:\(([^)]*)\))?:\s*(.*)$/.exec(text);
  if (section.startsWith("arg") || section.startsWith("param")) {
    if (entry) draft.params.push({ name: entry[1]!, ...(entry[2] ? { type: entry[2] } : {}), description: entry[3]! });
    else if (draft.params.length > 0) draft.params[draft.params.length - 1]!.description += ` ${text}`;
  } else if (section.startsWith("return") || section === "yields") draft.returns = draft.returns ? `${draft.returns} ${text}` : text;
  else if (section === "raises" || section === "throws") {
    if (entry) draft.throws.push({ type: entry[1]!, description: entry[3]! });
    else if (draft.throws.length > 0) draft.throws[draft.throws.length - 1]!.description += ` ${text}`;
  } else if (section.startsWith("example")) {
    if (draft.examples.length === 0) draft.examples.push("");
    draft.examples[draft.examples.length - 1] += `${draft.examples[draft.examples.length - 1] ? "\n" : ""}${line.replace(/^ {4}/, "")}`;
  } else if (section === "deprecated") draft.deprecated = draft.deprecated ? `${draft.deprecated} ${text}` : text;
}
