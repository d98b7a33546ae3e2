/** Go: funcs, methods (parent = receiver type), types, top-level const/var; capitalised = exported. */
import type { LanguageSpec } from "../spec";

const RECEIVER = `[(type_identifier) @receiver (pointer_type (type_identifier) @receiver) (generic_type type: (type_identifier) @receiver) (pointer_type (generic_type type: (type_identifier) @receiver))]`;

export const go: LanguageSpec = {
  grammar: "tree-sitter-go.wasm",
  query: `
(function_declaration name: (identifier) @name) @def.function
(method_declaration receiver: (parameter_list (parameter_declaration type: ${RECEIVER})) name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name type: (struct_type)) @def.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @def.interface
(type_spec name: (type_identifier) @name) @def.type
(type_alias name: (type_identifier) @name) @def.type
(method_elem name: (field_identifier) @name) @def.method
(source_file (const_declaration (const_spec name: (identifier) @name) @def.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @def.variable))
`,
  // A Go file declares at its top level only, and what a function body holds is local. Listed:
  // the top-level declarations (depth 1-2) and the methods of top-level interfaces (4), embedded
  // interfaces' too (6). Not the methods of an interface type inside a struct's field, which are
  // not the struct's. (The query's walk through function bodies was ~half its time.)
  searchDepth: 6,
  exported: ({ name }) => /^\p{Lu}/u.test(name),
  wrapperTypes: ["type_declaration", "const_declaration", "var_declaration"],
};
