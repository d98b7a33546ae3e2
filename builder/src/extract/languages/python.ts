/** Python: functions, classes (nested too), module-level assignments; docstrings and # comments. */
import type { LanguageSpec } from "../spec";

const isPublic = (name: string) => !name.startsWith("_") || (name.startsWith("__") && name.endsWith("__"));

export const python: LanguageSpec = {
  grammar: "tree-sitter-python.wasm",
  query: `
(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class
(module (expression_statement (assignment left: (identifier) @name) @def.variable))
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @def.property)))
`,
  exported: ({ name, parentExported }) => (parentExported ?? true) && isPublic(name),
  wrapperTypes: ["decorated_definition"],
  skipBeforeComment: ["decorator"],
  constructorNames: ["__init__"],
  docstrings: true,
  refineKind: (kind, _node, name) => (kind === "variable" && /^[A-Z][A-Z0-9_]*$/.test(name) ? "constant" : kind),
};
