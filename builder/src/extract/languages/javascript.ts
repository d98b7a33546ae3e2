/** JavaScript, TypeScript and TSX: one query family, TypeScript adds its type-level declarations. */
import type { Node } from "web-tree-sitter";
import type { SymbolKind } from "@doctown/core/docpackFormat";
import type { ExportContext, LanguageSpec } from "../spec";

const FUNCTION_VALUES = "[(arrow_function) (function_expression) (generator_function)]";

const COMMON = `
(program (lexical_declaration (variable_declarator name: (identifier) @name value: (class)) @def.class))
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: (class)) @def.class))
(program (variable_declaration (variable_declarator name: (identifier) @name value: (class)) @def.class))
(expression_statement (assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @receiver property: (property_identifier) @prototype (#eq? @prototype "prototype"))
    property: (property_identifier) @name)
  right: ${FUNCTION_VALUES}) @def.method)
(function_declaration name: (_) @name) @def.function
(generator_function_declaration name: (_) @name) @def.function
(class_declaration name: (_) @name) @def.class
(method_definition name: (_) @name) @def.method
(program (lexical_declaration (variable_declarator name: (identifier) @name value: ${FUNCTION_VALUES}) @def.function))
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: ${FUNCTION_VALUES}) @def.function))
(program (variable_declaration (variable_declarator name: (identifier) @name value: ${FUNCTION_VALUES}) @def.function))
(program (lexical_declaration (variable_declarator name: (identifier) @name) @def.variable))
(export_statement (lexical_declaration (variable_declarator name: (identifier) @name) @def.variable))
(program (variable_declaration (variable_declarator name: (identifier) @name) @def.variable))
(arguments (arrow_function body: (_) @local))
(arguments (function_expression body: (_) @local))
(arguments (generator_function body: (_) @local))
`;

const JS_ONLY = `
(field_definition property: (_) @name) @def.property
`;

const TS_ONLY = `
(function_signature name: (_) @name) @def.function
(abstract_class_declaration name: (_) @name) @def.class
(interface_declaration name: (_) @name) @def.interface
(type_alias_declaration name: (_) @name) @def.type
(enum_declaration name: (_) @name) @def.enum
(internal_module name: (_) @name) @def.module
(interface_body (method_signature name: (_) @name) @def.method)
(object_type (method_signature name: (_) @name) @def.method)
(class_body (method_signature name: (_) @name) @def.method)
(abstract_method_signature name: (_) @name) @def.method
(public_field_definition name: (_) @name) @def.property
(interface_body (property_signature name: (_) @name) @def.property)
(export_statement (variable_declaration (variable_declarator name: (identifier) @name) @def.variable))
(ambient_declaration (function_signature name: (_) @name) @def.function)
`;

const FUNCTION_VALUE_TYPES = new Set(["arrow_function", "function_expression", "generator_function"]);

/**
 * The callbacks a top-level statement passes to a call, directly or as a variable's value
 * (`describe(..., () => {...})`: most of a test file).
 */
function bodiesToSkip(root: Node): Node[] {
  const bodies: Node[] = [];
  const callbacks = (call: Node | null | undefined) => {
    if (call?.type !== "call_expression") return;
    for (const argument of call.childForFieldName("arguments")?.namedChildren ?? []) {
      const body = argument && FUNCTION_VALUE_TYPES.has(argument.type) ? argument.childForFieldName("body") : null;
      if (body) bodies.push(body);
    }
  };
  for (const child of root.namedChildren) {
    if (!child) continue;
    const statement =
      child.type === "export_statement" ? (child.childForFieldName("declaration") ?? child.childForFieldName("value")) : child;
    if (statement?.type === "expression_statement") callbacks(statement.firstNamedChild);
    else if (statement?.type === "lexical_declaration" || statement?.type === "variable_declaration")
      for (const declarator of statement.namedChildren) callbacks(declarator?.childForFieldName("value"));
    else callbacks(statement);
  }
  return bodies;
}

function isExportStatement(node: Node | null): boolean {
  return node?.type === "export_statement";
}

function exported({ node, name, parentExported }: ExportContext): boolean {
  if (parentExported !== undefined) {
    if (name.startsWith("#")) return false;
    const modifier = node.children.find((child) => child?.type === "accessibility_modifier");
    return parentExported && !(modifier && /private|protected/.test(modifier.text));
  }
  // declaration → export_statement, or declarator → lexical_declaration → export_statement
  return isExportStatement(node.parent) || isExportStatement(node.parent?.parent ?? null);
}

function refineKind(kind: SymbolKind, node: Node): SymbolKind {
  if (kind === "variable" && node.parent?.type === "lexical_declaration" && node.parent.text.startsWith("const"))
    return "constant";
  return kind;
}

const shared = {
  bodiesToSkip,
  exported,
  refineKind,
  wrapperTypes: ["export_statement", "lexical_declaration", "variable_declaration", "ambient_declaration"],
  skipBeforeComment: ["decorator"],
  constructorNames: ["constructor"],
} satisfies Omit<LanguageSpec, "grammar" | "query">;

export const javascript: LanguageSpec = { ...shared, grammar: "tree-sitter-javascript.wasm", query: COMMON + JS_ONLY };
export const typescript: LanguageSpec = { ...shared, grammar: "tree-sitter-typescript.wasm", query: COMMON + TS_ONLY };
export const tsx: LanguageSpec = { ...shared, grammar: "tree-sitter-tsx.wasm", query: COMMON + TS_ONLY };
