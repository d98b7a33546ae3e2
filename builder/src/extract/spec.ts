/**
 * What a language module tells the extraction engine. A tree-sitter query finds definitions:
 * each pattern captures the definition node as `@def.<kind>` (a SYMBOL_KINDS value, or `impl` for a
 * scope that names a parent without being a symbol itself, e.g. Rust `impl Foo`) and its name as
 * `@name`; an optional `@receiver` names the parent explicitly (Go methods). When one node matches
 * several patterns, the earliest pattern wins.
 *
 * A `@def.<kind>` pattern without `@name` takes the name from the node's `name` field (a pattern of
 * one node is cheaper for tree-sitter to compile than one with children). Other captures go to the
 * language's `expand`, which reads definitions in code.
 *
 * What a function or method defines is local to it and not listed, as Sphinx, rustdoc or javadoc
 * have it, but in JavaScript (see `listsFunctionContents`). A pattern may capture `@local` for
 * another scope whose definitions are not listed: JavaScript's callbacks, whose definitions live
 * only while the call runs them (a test case's components, an effect's handlers).
 */
import type { Node } from "web-tree-sitter";
import type { SymbolKind } from "@doctown/core/docpackFormat";

export type DefinitionKind = SymbolKind | "impl" | "local";

/** A definition a language reads in code (see `expand` and `topLevel`). */
export type FoundDefinition = { node: Node; kind: DefinitionKind; name: string; receiver?: string };

export type ExportContext = {
  node: Node;
  name: string;
  kind: SymbolKind;
  /** exported flag of the enclosing symbol, undefined at the top level */
  parentExported: boolean | undefined;
  /** the node's parent and grandparent (where the tree has them), and further wrappers (see `wrapperTypes`) */
  ancestors: readonly Node[];
};

export type LanguageSpec = {
  /** file in @vscode/tree-sitter-wasm/wasm */
  grammar: string;
  query: string;
  /**
   * What one look at the root's children finds: top-level definitions read in code, and `@local`
   * scopes there, which the query then need not search (a speed-up only: what they hold would be
   * dropped anyway; in a test file, most of its text).
   */
  topLevel?: (root: Node) => { definitions: FoundDefinition[]; localScopes: Node[] };
  /**
   * How many levels below the file's root a listed definition can start, where the grammar fixes
   * it (the query then never walks into function bodies' expressions); default: any depth.
   */
  searchDepth?: number;
  /**
   * What a function defines is listed: JavaScript's modules and factories define their API inside
   * one (an immediately invoked function's returned object, a factory's methods).
   */
  listsFunctionContents?: boolean;
  /** Definitions read in code from a capture other than `@def.*`, `@name`, `@receiver`, `@local`. */
  expand?: (capture: string, node: Node) => FoundDefinition[];
  exported: (ctx: ExportContext) => boolean;
  /** parents through which a definition's leading comments are found (export, decorators, ...) */
  wrapperTypes?: string[];
  /** siblings skipped between a definition and its comment (decorators, attributes) */
  skipBeforeComment?: string[];
  /** kinds under which a `function` becomes a `method` (default: class-like kinds) */
  memberOf?: SymbolKind[] | "impl"[];
  /** names that make a method a constructor */
  constructorNames?: string[];
  /** Python: the first string statement of the body is the doc comment */
  docstrings?: boolean;
  /** language-specific kind adjustment (e.g. `const` → constant); `ancestors` as in ExportContext */
  refineKind?: (kind: SymbolKind, node: Node, name: string, ancestors: readonly Node[]) => SymbolKind;
  /** split a qualified definition name (C++ `Foo::bar`) into parent path and name */
  splitName?: (name: string) => { parent?: string; name: string };
};

export const CLASS_LIKE: DefinitionKind[] = ["class", "struct", "interface", "trait", "enum", "impl"];
