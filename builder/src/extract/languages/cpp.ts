/** C and C++ (the C++ grammar parses C too): functions, classes, structs, namespaces, methods. */
import type { LanguageSpec } from "../spec";

const FN_NAME = `[(identifier) (field_identifier) (qualified_identifier) (destructor_name) (operator_name)] @name`;

export const cpp: LanguageSpec = {
  grammar: "tree-sitter-cpp.wasm",
  query: `
(function_definition declarator: (function_declarator declarator: ${FN_NAME})) @def.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: ${FN_NAME}))) @def.function
(function_definition declarator: (reference_declarator (function_declarator declarator: ${FN_NAME}))) @def.function
(class_specifier name: (type_identifier) @name body: (_)) @def.class
(struct_specifier name: (type_identifier) @name body: (_)) @def.struct
(union_specifier name: (type_identifier) @name body: (_)) @def.struct
(enum_specifier name: (type_identifier) @name body: (_)) @def.enum
(namespace_definition name: (_) @name) @def.module
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @def.method
(type_definition declarator: (type_identifier) @name) @def.type
(alias_declaration name: (type_identifier) @name) @def.type
`,
  exported: ({ node, parentExported }) =>
    parentExported ?? !node.children.some((child) => child?.type === "storage_class_specifier" && child.text === "static"),
  wrapperTypes: ["template_declaration"],
  splitName: (name) => {
    const parts = name.split("::").filter(Boolean);
    return parts.length > 1 ? { parent: parts.slice(0, -1).join("."), name: parts[parts.length - 1] } : { name };
  },
};
