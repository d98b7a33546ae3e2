/**
 * The tree-sitter engine: loads grammars once per thread, parses a file, runs its language's query
 * and turns the matches into symbols with parents, signatures, doc comments and export flags.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Language, Parser, Query, type Node } from "web-tree-sitter";
import type { SymbolKind } from "@doctown/core/docpackFormat";
import { CLASS_LIKE, type DefinitionKind, type FoundDefinition, type LanguageSpec } from "./spec";
import { LANGUAGE_SPECS } from "./languages/index";
import { boundedName, boundedParent, MAX_SYMBOL_DEPTH, MAX_SYNTAX_DEPTH, MAX_TREE_SITTER_MS } from "./limits";
import { bodiesWorthSkipping, searchedRanges } from "./searchRanges";
import { makeSignature } from "./signature";
import { cleanComment } from "./text";

export type RawSymbol = {
  name: string;
  kind: SymbolKind;
  parent?: string;
  signature: string;
  start_line: number;
  end_line: number;
  exported: boolean;
  doc_comment?: string;
};

type Loaded = { parser: Parser; query: Query; spec: LanguageSpec };
const loaded = new Map<string, Promise<Loaded>>();
let initialised: Promise<void> | undefined;

const wasmDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@vscode/tree-sitter-wasm/package.json")),
  "wasm",
);

export function hasGrammar(language: string): boolean {
  // Not `in`: that also finds Object.prototype's members ("constructor", "toString", ...).
  return Object.hasOwn(LANGUAGE_SPECS, language);
}

/** Starts loading these languages' grammars and queries (those that have one), without waiting. */
export function preloadGrammars(languages: Iterable<string>): void {
  // A failure shows when the grammar is used (the same promise).
  for (const language of languages) if (hasGrammar(language)) load(language).catch(() => {});
}

/** Whether this thread has begun loading the language's grammar. */
export function grammarRequested(language: string): boolean {
  return loaded.has(language);
}

function load(language: string): Promise<Loaded> {
  let entry = loaded.get(language);
  if (!entry) {
    entry = (async () => {
      initialised ??= Parser.init();
      await initialised;
      const spec = LANGUAGE_SPECS[language];
      const grammar = await Language.load(path.join(wasmDir, spec.grammar));
      const parser = new Parser();
      parser.setLanguage(grammar);
      return { parser, query: new Query(grammar, spec.query), spec };
    })();
    loaded.set(language, entry);
  }
  return entry;
}

type Definition = {
  node: Node;
  kind: DefinitionKind;
  name: string;
  receiver?: string;
  pattern: number;
};

/** Thrown when a file's parse or search runs past its time (see MAX_TREE_SITTER_MS). */
export class ExtractTimeout extends Error {}

type ExtractOptions = {
  maxMs?: number;
  /** Let the query pass over the bodies the language names cheaply (off only for tests to compare). */
  skipBodies?: boolean;
  /** Adds up the bodies passed over (for tests). */
  counts?: { skippedBodies: number };
};

/** The file's symbols; the same whether bodies are skipped or not. */
export async function extractWithTreeSitter(
  language: string,
  source: string,
  { maxMs = MAX_TREE_SITTER_MS, skipBodies = true, counts }: ExtractOptions = {},
): Promise<RawSymbol[]> {
  const { parser, query, spec } = await load(language);
  const deadline = performance.now() + maxMs;
  const overdue = () => performance.now() > deadline;
  // tree-sitter calls this every so often, and stops when it answers true (typed as void, but read).
  const progressCallback = overdue as () => void;
  const tree = parser.parse(source, null, { progressCallback });
  if (!tree) {
    parser.reset(); // or the next parse would resume this one
    throw new ExtractTimeout(`parsing took over ${maxMs} ms`);
  }
  try {
    const top = spec.topLevel?.(tree.rootNode);
    const skipped = skipBodies ? bodiesWorthSkipping(tree.rootNode, top?.localScopes ?? []) : [];
    if (counts) counts.skippedBodies += skipped.length;
    const definitions = collectDefinitions(query, spec, tree.rootNode, [...(top?.definitions ?? []), ...skipped.map(asLocal)], skipped, progressCallback);
    if (overdue()) throw new ExtractTimeout(`searching for definitions took over ${maxMs} ms`);
    return buildSymbols(definitions, spec, source, language);
  } finally {
    tree.delete();
  }
}

/**
 * The lines (first, last; 1-based) of the file's outermost local scopes (`@local` ones, and the
 * bodies of functions where the language keeps their definitions local, from the line after the
 * function's first), whose definitions are not listed: for the benchmark, which leaves them out of
 * its comparison with ctags.
 */
export async function localLineSpans(language: string, source: string): Promise<Array<[number, number]>> {
  if (!hasGrammar(language)) return [];
  const { parser, query, spec } = await load(language);
  const tree = parser.parse(source);
  if (!tree) return [];
  try {
    const spans: Array<[number, number]> = [];
    let end = -1;
    const found = spec.topLevel?.(tree.rootNode).definitions ?? [];
    for (const def of collectDefinitions(query, spec, tree.rootNode, found, [], () => false)) {
      const span = localLines(def, spec);
      if (!span || def.node.startIndex < end) continue;
      spans.push(span);
      end = def.node.endIndex;
    }
    return spans;
  } finally {
    tree.delete();
  }
}

/**
 * The lines of a definition's local scope: a `@local` one whole, a function's body (where the
 * language keeps its definitions local) from the line after the function's first.
 */
function localLines(def: Definition, spec: LanguageSpec): [number, number] | undefined {
  if (def.kind === "local") return [def.node.startPosition.row + 1, def.node.endPosition.row + 1];
  const body = !spec.listsFunctionContents && FUNCTION_KINDS.has(def.kind) ? def.node.childForFieldName("body") : null;
  if (!body) return undefined;
  const first = Math.max(body.startPosition.row, def.node.startPosition.row + 1) + 1;
  const last = body.endPosition.row + 1;
  return first <= last ? [first, last] : undefined; // a one-line function has none
}

const asLocal = (scope: Node): FoundDefinition => ({ node: scope, kind: "local", name: "" });

/**
 * The file's definitions: what the query finds outside the `skipped` scopes, and what the language
 * `found` in code (a skipped scope among them, as a local one: whatever the search meets of it is
 * dropped with it).
 */
function collectDefinitions(query: Query, spec: LanguageSpec, root: Node, found: FoundDefinition[], skipped: Node[], progressCallback: () => void): Definition[] {
  const byNode = new Map<string, Definition>();
  // When one node is found more than once (by several patterns, or in several ranges), the earliest pattern wins.
  const add = ({ node, kind, name, receiver }: FoundDefinition, pattern: number) => {
    if (!name && kind !== "local") return;
    const key = `${node.startIndex}:${node.endIndex}:${name}`;
    const previous = byNode.get(key);
    if (!previous || pattern < previous.pattern) byNode.set(key, { node, kind, name, receiver, pattern });
  };
  for (const definition of found) add(definition, -1);
  const matches = searchedRanges(root, skipped).flatMap((range) =>
    // Bounded depth (see limits): a deeper search can take tree-sitter minutes.
    query.matches(root, { ...range, maxStartDepth: Math.min(spec.searchDepth ?? MAX_SYNTAX_DEPTH, MAX_SYNTAX_DEPTH), progressCallback }),
  );
  for (const match of matches) {
    let node: Node | undefined;
    let kind: DefinitionKind | undefined;
    let name: string | undefined;
    let receiver: string | undefined;
    for (const capture of match.captures) {
      if (capture.name.startsWith("def.")) {
        node = capture.node;
        kind = capture.name.slice(4) as DefinitionKind;
      } else if (capture.name === "name") name = capture.node.text;
      else if (capture.name === "receiver") receiver = capture.node.text;
      else if (capture.name === "local") add(asLocal(capture.node), match.patternIndex);
      else for (const found of spec.expand?.(capture.name, capture.node) ?? []) add(found, match.patternIndex);
    }
    if (!node || !kind) continue;
    name ??= node.childForFieldName("name")?.text;
    if (name !== undefined) add({ node, kind, name, receiver }, match.patternIndex);
  }
  return [...byNode.values()].sort(
    (a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex,
  );
}

type Scope = { end: number; qualified: string; kind: DefinitionKind; exported: boolean | undefined; hidden?: boolean };

/** Kinds whose bodies are local scopes, where the language says so (see LanguageSpec). */
const FUNCTION_KINDS = new Set<DefinitionKind>(["function", "method", "constructor"]);

function buildSymbols(definitions: Definition[], spec: LanguageSpec, source: string, language: string): RawSymbol[] {
  const symbols: RawSymbol[] = [];
  const stack: Scope[] = [];
  const memberOf = new Set<DefinitionKind>(spec.memberOf ?? CLASS_LIKE);
  const comments: CommentCache = new Map();
  const siblings = new SiblingCache();
  for (const def of definitions) {
    while (stack.length > 0 && stack[stack.length - 1].end <= def.node.startIndex) stack.pop();
    const enclosing = stack[stack.length - 1];
    const inFunction = !spec.listsFunctionContents && enclosing !== undefined && FUNCTION_KINDS.has(enclosing.kind);
    if (def.kind === "local" || enclosing?.hidden || inFunction || stack.length >= MAX_SYMBOL_DEPTH) {
      // Not listed, but still a scope: whatever it contains is local, or too deep, as well.
      stack.push({ end: def.node.endIndex, qualified: "", kind: def.kind, exported: false, hidden: true });
      continue;
    }
    const { name, parent } = nameAndParent(def, enclosing, spec);
    const qualified = parent ? `${parent}.${name}` : name;
    if (def.kind === "impl") {
      stack.push({ end: def.node.endIndex, qualified, kind: "impl", exported: enclosing?.exported });
      continue;
    }
    let kind: SymbolKind = def.kind;
    const inType = (enclosing && memberOf.has(enclosing.kind)) || def.receiver !== undefined || (spec.splitName && parent && !enclosing);
    if (kind === "function" && inType) kind = "method";
    if (kind === "method" && !inType) kind = "function";
    if (kind === "method" && spec.constructorNames?.includes(name)) kind = "constructor";
    const ancestors = ancestorsOf(def.node);
    if (spec.refineKind) kind = spec.refineKind(kind, def.node, name, ancestors);
    const exported = spec.exported({ node: def.node, name, kind, parentExported: enclosing?.exported, ancestors });
    symbols.push({
      name,
      kind,
      parent,
      signature: makeSignature(source, def.node, kind, language, ancestors),
      start_line: def.node.startPosition.row + 1,
      end_line: def.node.endPosition.row + 1,
      exported,
      doc_comment: docComment(def.node, ancestors, spec, comments, siblings),
    });
    stack.push({ end: def.node.endIndex, qualified, kind, exported });
  }
  return symbols;
}

/** A definition's name and its parent's qualified name, both bounded (see limits). */
function nameAndParent(def: Definition, enclosing: Scope | undefined, spec: LanguageSpec): { name: string; parent?: string } {
  let name = def.name;
  let parent = def.receiver ?? enclosing?.qualified;
  if (spec.splitName) {
    const split = spec.splitName(name);
    name = split.name;
    if (split.parent) parent = parent ? `${parent}.${split.parent}` : split.parent;
  }
  return { name: boundedName(name), parent: boundedParent(parent) };
}

/** Every language's wrapper types (see LanguageSpec.wrapperTypes): declarations, exports, decorators, templates. */
const WRAPPER_TYPES = new Set(Object.values(LANGUAGE_SPECS).flatMap((spec) => spec.wrapperTypes ?? []));

/**
 * A node's parent and grandparent, and further ancestors while they are wrappers: what its
 * signature's keywords, its doc comment and whether it is exported are read from. Asked of
 * tree-sitter once per definition: each `parent` is a walk down from the root.
 */
function ancestorsOf(node: Node): Node[] {
  const ancestors: Node[] = [];
  for (let parent = node.parent; parent; parent = parent.parent) {
    ancestors.push(parent);
    if (ancestors.length >= 2 && !WRAPPER_TYPES.has(parent.type)) break;
  }
  return ancestors;
}

/**
 * The named children of the file's parents, each asked of tree-sitter once: a node's previous
 * sibling, asked one at a time, costs a walk down from the root and along the siblings before it.
 */
class SiblingCache {
  private readonly byParent = new Map<number, { children: Node[]; index: Map<number, number> }>();

  /** The named siblings before `node` under `parent`, nearest first. */
  *before(node: Node, parent: Node): Generator<Node> {
    let entry = this.byParent.get(parent.id);
    if (!entry) {
      const children = parent.namedChildren.filter((child): child is Node => child !== null);
      entry = { children, index: new Map(children.map((child, i) => [child.id, i])) };
      this.byParent.set(parent.id, entry);
    }
    for (let i = (entry.index.get(node.id) ?? 0) - 1; i >= 0; i--) yield entry.children[i]!;
  }
}

/** Leading comments by the id of the node they lead. */
type CommentCache = Map<number, string | undefined>;

function docComment(node: Node, ancestors: readonly Node[], spec: LanguageSpec, comments: CommentCache, siblings: SiblingCache): string | undefined {
  if (spec.docstrings) {
    const body = node.childForFieldName("body");
    const first = body?.firstNamedChild;
    const string = first?.type === "expression_statement" ? first.firstNamedChild : undefined;
    if (string?.type === "string") return cleanComment(string.text);
  }
  let outer = node;
  let at = 0; // ancestors[at] is outer's parent
  const wrappers = spec.wrapperTypes ?? [];
  while (at < ancestors.length && wrappers.includes(ancestors[at]!.type) && ancestors[at]!.startPosition.row >= outer.startPosition.row - 1)
    outer = ancestors[at++]!;
  const parent = ancestors[at];
  // The declarators of one statement share its comment: read it once, not once per declarator
  // (2,000 declarators under 2,000 comment lines, 24 KiB, took 36 s).
  if (!comments.has(outer.id)) comments.set(outer.id, parent ? leadingComment(outer, siblings.before(outer, parent), spec) : undefined);
  return comments.get(outer.id);
}

function leadingComment(outer: Node, before: Iterable<Node>, spec: LanguageSpec): string | undefined {
  const skip = spec.skipBeforeComment ?? [];
  const parts: string[] = [];
  let row = outer.startPosition.row;
  for (const sibling of before) {
    const type = sibling.type; // asked of tree-sitter on each read
    if (skip.includes(type)) {
      row = sibling.startPosition.row;
      continue;
    }
    if (!type.includes("comment") || sibling.endPosition.row < row - 1 || sibling.text.startsWith("#!")) break;
    parts.unshift(sibling.text);
    row = sibling.startPosition.row;
  }
  return parts.length > 0 ? cleanComment(parts.join("\n")) : undefined;
}
