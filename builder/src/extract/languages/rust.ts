/** Rust: items, impl blocks as parents of their functions, `pub` = exported. */
import type { LanguageSpec } from "../spec";

export const rust: LanguageSpec = {
  grammar: "tree-sitter-rust.wasm",
  query: `
(function_item name: (identifier) @name) @def.function
(function_signature_item name: (identifier) @name) @def.function
(struct_item name: (type_identifier) @name) @def.struct
(union_item name: (type_identifier) @name) @def.struct
(enum_item name: (type_identifier) @name) @def.enum
(trait_item name: (type_identifier) @name) @def.trait
(type_item name: (type_identifier) @name) @def.type
(mod_item name: (identifier) @name) @def.module
(const_item name: (identifier) @name) @def.constant
(static_item name: (identifier) @name) @def.variable
(macro_definition name: (identifier) @name) @def.function
(impl_item type: [(type_identifier) @name (generic_type type: (type_identifier) @name) (scoped_type_identifier name: (type_identifier) @name)]) @def.impl
`,
  exported: ({ node, parentExported }) =>
    node.children.some((child) => child?.type === "visibility_modifier" && child.text.startsWith("pub")) ||
    (parentExported === true && node.parent?.parent?.type === "trait_item"),
  skipBeforeComment: ["attribute_item", "inner_attribute_item"],
};
