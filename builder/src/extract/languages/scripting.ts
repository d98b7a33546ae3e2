/** Ruby, PHP and Bash. */
import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "../spec";

export const ruby: LanguageSpec = {
  grammar: "tree-sitter-ruby.wasm",
  query: `
(class name: (_) @name) @def.class
(module name: (_) @name) @def.module
(method name: (_) @name) @def.method
(singleton_method name: (_) @name) @def.method
`,
  exported: ({ parentExported }) => parentExported ?? true,
  memberOf: ["class", "module"],
  constructorNames: ["initialize"],
};

function phpVisible(node: Node): boolean {
  return !node.children.some((child) => child?.type === "visibility_modifier" && /private|protected/.test(child.text));
}

export const php: LanguageSpec = {
  grammar: "tree-sitter-php.wasm",
  query: `
(function_definition name: (name) @name) @def.function
(class_declaration name: (name) @name) @def.class
(interface_declaration name: (name) @name) @def.interface
(trait_declaration name: (name) @name) @def.trait
(enum_declaration name: (name) @name) @def.enum
(method_declaration name: (name) @name) @def.method
(property_declaration (property_element (variable_name (name) @name))) @def.property
(const_declaration (const_element (name) @name)) @def.constant
`,
  exported: ({ node, parentExported }) => (parentExported ?? true) && phpVisible(node),
  constructorNames: ["__construct"],
  skipBeforeComment: ["attribute_list"],
};

export const bash: LanguageSpec = {
  grammar: "tree-sitter-bash.wasm",
  query: `(function_definition name: (word) @name) @def.function`,
  exported: () => true,
};
