/** Languages with a tree-sitter grammar in @vscode/tree-sitter-wasm, by doctown language name. */
import type { LanguageSpec } from "../spec";
import { cpp } from "./cpp";
import { go } from "./go";
import { csharp, java } from "./java";
import { javascript, tsx, typescript } from "./javascript";
import { python } from "./python";
import { rust } from "./rust";
import { bash, php, ruby } from "./scripting";

export const LANGUAGE_SPECS: Record<string, LanguageSpec> = {
  typescript,
  tsx,
  javascript,
  python,
  go,
  rust,
  java,
  csharp,
  c: cpp,
  cpp,
  ruby,
  php,
  bash,
};
