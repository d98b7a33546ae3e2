/** Java and C#: types, members; `public` = exported (interface members are implicitly public). */
import type { Node } from "web-tree-sitter";
import type { ExportContext, LanguageSpec } from "../spec";

function hasModifier(node: Node, word: string): boolean {
  const modifiers = node.children.filter((child) => child?.type === "modifiers" || child?.type === "modifier");
  return modifiers.some((m) => m !== null && new RegExp(`\\b${word}\\b`).test(m.text));
}

function publicMember({ node, kind, parentExported, ancestors }: ExportContext): boolean {
  if (kind === "module") return true; // C# namespaces have no visibility
  if (parentExported === false) return false;
  if (hasModifier(node, "public")) return true;
  const container = ancestors[1];
  return parentExported === true && container?.type === "interface_declaration";
}

export const java: LanguageSpec = {
  grammar: "tree-sitter-java.wasm",
  query: `
(class_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(record_declaration name: (identifier) @name) @def.class
(annotation_type_declaration name: (identifier) @name) @def.interface
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.constructor
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @def.property
`,
  exported: publicMember,
};

export const csharp: LanguageSpec = {
  grammar: "tree-sitter-c-sharp.wasm",
  query: `
(class_declaration name: (identifier) @name) @def.class
(struct_declaration name: (identifier) @name) @def.struct
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(record_declaration name: (identifier) @name) @def.class
(delegate_declaration name: (identifier) @name) @def.type
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.constructor
(property_declaration name: (identifier) @name) @def.property
(namespace_declaration name: (_) @name) @def.module
`,
  exported: publicMember,
  skipBeforeComment: ["attribute_list"],
};
