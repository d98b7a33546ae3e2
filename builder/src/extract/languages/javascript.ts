/** JavaScript, TypeScript and TSX: one query family, TypeScript adds its type-level declarations. */
import type { Node } from "web-tree-sitter";
import type { SymbolKind } from "@doctown/core/docpackFormat";
import type { ExportContext, FoundDefinition, LanguageSpec } from "../spec";

const FUNCTION_VALUES = "[(arrow_function) (function_expression) (generator_function)]";

// Patterns of one node each where that finds the same definitions: a pattern with a parent costs
// tree-sitter an analysis of the grammar when the query is compiled (TypeScript's and TSX's
// queries took ~60 ms each per thread). A definition's name is its node's `name` field. What needs
// a parent is read in code: top-level declarations (`topLevel`), exported ones and interface
// properties (`expand`). What a callback (a function passed to a call) defines is local to it.
const COMMON = `
(function_declaration) @def.function
(generator_function_declaration) @def.function
(class_declaration) @def.class
(method_definition) @def.method
(export_statement) @export
(assignment_expression right: ${FUNCTION_VALUES}) @assignment
(arguments ${FUNCTION_VALUES} @local)
`;

const JS_ONLY = `
(field_definition property: (_) @name) @def.property
`;

const TS_ONLY = `
(function_signature) @def.function
(abstract_class_declaration) @def.class
(interface_declaration) @def.interface
(type_alias_declaration) @def.type
(enum_declaration) @def.enum
(internal_module) @def.module
(method_signature) @def.method
(abstract_method_signature) @def.method
(public_field_definition) @def.property
(interface_body) @members
`;

const FUNCTION_VALUE_TYPES = new Set(["arrow_function", "function_expression", "generator_function"]);

const DECLARATIONS = new Set(["lexical_declaration", "variable_declaration"]);

/** A declaration's variables: a class or function as one, any other value as a variable. */
function declarators(declaration: Node): FoundDefinition[] {
  return declaration.namedChildren.flatMap((declarator) => {
    const name = declarator?.type === "variable_declarator" ? declarator.childForFieldName("name") : null;
    if (!declarator || name?.type !== "identifier") return [];
    const value = declarator.childForFieldName("value")?.type ?? "";
    const kind = value === "class" ? "class" : FUNCTION_VALUE_TYPES.has(value) ? "function" : "variable";
    return [{ node: declarator, kind, name: name.text }];
  });
}

/**
 * One pass over the root's children: the file's own top-level declarations (inside a namespace
 * only exported ones are listed, see `expand`), and the callbacks its statements pass to a call,
 * directly or as a variable's value (`describe(..., () => {...})`: most of a test file).
 */
function topLevel(root: Node): { definitions: FoundDefinition[]; localScopes: Node[] } {
  const definitions: FoundDefinition[] = [];
  const localScopes: Node[] = [];
  const callbacks = (call: Node | null | undefined) => {
    if (call?.type !== "call_expression") return;
    for (const argument of call.childForFieldName("arguments")?.namedChildren ?? [])
      if (argument && FUNCTION_VALUE_TYPES.has(argument.type)) localScopes.push(argument);
  };
  for (const child of root.namedChildren) {
    if (!child) continue;
    if (DECLARATIONS.has(child.type)) definitions.push(...declarators(child));
    const statement =
      child.type === "export_statement" ? (child.childForFieldName("declaration") ?? child.childForFieldName("value")) : child;
    if (statement?.type === "expression_statement") callbacks(statement.firstNamedChild);
    else if (statement && DECLARATIONS.has(statement.type))
      for (const declarator of statement.namedChildren) callbacks(declarator?.childForFieldName("value"));
    else callbacks(statement);
  }
  return { definitions, localScopes };
}

/** `Foo.prototype.bar = function () {}` as a statement: the method `bar` of `Foo`. */
function prototypeMethod(assignment: Node): FoundDefinition[] {
  const left = assignment.childForFieldName("left");
  const name = left?.type === "member_expression" ? left.childForFieldName("property") : null;
  const target = left?.childForFieldName("object");
  if (name?.type !== "property_identifier" || target?.type !== "member_expression") return [];
  const receiver = target.childForFieldName("object");
  const prototype = target.childForFieldName("property");
  if (receiver?.type !== "identifier" || prototype?.type !== "property_identifier" || prototype.text !== "prototype") return [];
  const statement = assignment.parent;
  return statement?.type === "expression_statement" ? [{ node: statement, kind: "method", name: name.text, receiver: receiver.text }] : [];
}

function expand(capture: string, node: Node): FoundDefinition[] {
  switch (capture) {
    case "export": {
      const declaration = node.childForFieldName("declaration");
      return declaration && DECLARATIONS.has(declaration.type) ? declarators(declaration) : [];
    }
    case "members":
      return node.namedChildren.flatMap((member) => {
        const name = member?.type === "property_signature" ? member.childForFieldName("name") : null;
        return member && name ? [{ node: member, kind: "property" as const, name: name.text }] : [];
      });
    case "assignment":
      return prototypeMethod(node);
    default:
      return [];
  }
}

function isExportStatement(node: Node | null): boolean {
  return node?.type === "export_statement";
}

function exported({ node, name, parentExported, ancestors }: ExportContext): boolean {
  if (parentExported !== undefined) {
    if (name.startsWith("#")) return false;
    const modifier = node.children.find((child) => child?.type === "accessibility_modifier");
    return parentExported && !(modifier && /private|protected/.test(modifier.text));
  }
  // declaration → export_statement, or declarator → lexical_declaration → export_statement
  return isExportStatement(ancestors[0] ?? null) || isExportStatement(ancestors[1] ?? null);
}

function refineKind(kind: SymbolKind, _node: Node, _name: string, [parent]: readonly Node[]): SymbolKind {
  if (kind === "variable" && parent?.type === "lexical_declaration" && parent.text.startsWith("const")) return "constant";
  return kind;
}

const shared = {
  listsFunctionContents: true,
  topLevel,
  expand,
  exported,
  refineKind,
  wrapperTypes: ["export_statement", "lexical_declaration", "variable_declaration", "ambient_declaration"],
  skipBeforeComment: ["decorator"],
  constructorNames: ["constructor"],
} satisfies Omit<LanguageSpec, "grammar" | "query">;

export const javascript: LanguageSpec = { ...shared, grammar: "tree-sitter-javascript.wasm", query: COMMON + JS_ONLY };
export const typescript: LanguageSpec = { ...shared, grammar: "tree-sitter-typescript.wasm", query: COMMON + TS_ONLY };
export const tsx: LanguageSpec = { ...shared, grammar: "tree-sitter-tsx.wasm", query: COMMON + TS_ONLY };
