/**
 * document stage: per-file documentation and one-line symbol summaries.
 * With an LLM configured: one request per file, bounded concurrency, retries, a per-job token
 * budget and a content-addressed cache (see ../document/llm). Without one: deterministic
 * placeholder docs built from symbols and doc comments, marked as such.
 */
import OpenAI from "openai";
import type { DocumentInput, DocumentOutput } from "../types";
import type { DocumentFile } from "../document/types";
import { placeholderPage, type PageLinks } from "../document/placeholder";
import { LazyMap } from "../document/lazyMap";
import { indexPage } from "../document/indexPage";
import { documentWithLlm, type LlmSettings } from "../document/llm";
import { DocCache, defaultCacheDir } from "../document/cache";
import { buildStructure, llmsTxt, type Structure } from "../document/structure";
import { isProse } from "../scan/languages";
import { packageOverviewsWithLlm } from "../document/packageOverview";
import { embeddedMarkdown } from "../document/modelMarkdown";

export interface DocumentDeps {
  /** LLM settings; absent → placeholder documentation for every file. */
  llm?: LlmSettings;
  /** Called after each documented file (for progress reporting). */
  onProgress?: (done: number, total: number) => void;
  /** Aborts outstanding LLM requests (job cancelled). */
  signal?: AbortSignal;
  /** search.json keeps at most this many entries, the best-ranked (default MAX_SEARCH_ENTRIES) */
  maxSearchEntries?: number;
}

export const DEFAULT_MODEL = "gpt-4o-mini";
export const DEFAULT_LLM_CONCURRENCY = 4;
/** Per job: input + output tokens. ~$0.50 at gpt-4o-mini prices. */
export const DEFAULT_TOKEN_BUDGET = 2_000_000;
export const DEFAULT_MAX_RETRIES = 4;

/**
 * Reads OPENAI_API_KEY, OPENAI_BASE_URL, DOCTOWN_MODEL, DOCTOWN_CACHE_DIR,
 * DOCTOWN_LLM_CONCURRENCY and DOCTOWN_TOKEN_BUDGET. No key, or `llm: false` → placeholder mode.
 */
export function documentDepsFromEnv(
  env: Record<string, string | undefined>,
  opts: { llm?: boolean } = {},
): DocumentDeps {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (opts.llm === false || !apiKey) return {};
  const client = new OpenAI({
    apiKey,
    baseURL: env.OPENAI_BASE_URL?.trim() || undefined,
    // The SDK retries 408/409/429/5xx with exponential backoff and honours Retry-After(-ms).
    maxRetries: DEFAULT_MAX_RETRIES,
    timeout: 120_000,
  });
  return {
    llm: {
      client,
      model: env.DOCTOWN_MODEL?.trim() || DEFAULT_MODEL,
      concurrency: positiveInt(env.DOCTOWN_LLM_CONCURRENCY, DEFAULT_LLM_CONCURRENCY),
      tokenBudget: positiveInt(env.DOCTOWN_TOKEN_BUDGET, DEFAULT_TOKEN_BUDGET),
      cache: new DocCache(env.DOCTOWN_CACHE_DIR?.trim() || defaultCacheDir(env)),
    },
  };
}

export async function documentStage(
  input: DocumentInput,
  deps: DocumentDeps,
): Promise<DocumentOutput> {
  const all = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const { structure, search } = buildStructure(all, { maxSearchEntries: deps.maxSearchEntries });
  // Prose files are pages of their own (docs/pages/); every other file gets a file page.
  const files = all.filter((file) => !isProse(file.language));
  const links: PageLinks = { hostUrl: input.hostUrl, types: structure };
  const shared = (index: string) => ({
    index,
    prosePages: structure.prosePages,
    packages: structure.packages,
    packagePages: structure.packagePages,
    llms: llmsTxt({ repoName: input.repoName, structure, files: all }),
    search,
    searchStats: structure.searchStats,
    structure,
  });
  if (!deps.llm) return placeholderDocs(input.repoName, files, deps, structure, links, shared);

  // The model reads code: configuration files are described by what they are, not by a model.
  const forModel = files.filter((file) => file.role !== "config" && file.role !== "generated");
  const result = await documentWithLlm(forModel, deps.llm, {
    signal: deps.signal,
    onFileDone: deps.onProgress,
    links,
  });
  // Package overviews from the model too, with what the file pages left of the budget.
  const spent = result.inputTokens + result.outputTokens;
  const packaged = await packageOverviewsWithLlm(structure.apis, deps.llm, Math.max(0, deps.llm.tokenBudget - spent), deps.signal);
  for (const { pkg } of structure.apis) {
    const overview = packaged.overviews.get(pkg.page);
    if (overview) structure.packagePages.set(pkg.page, structure.packagePageWith(pkg, embeddedMarkdown(overview)));
  }
  const docs: DocumentOutput["docs"] = {
    mode: "llm",
    model: deps.llm.model,
    input_tokens: result.inputTokens + packaged.inputTokens,
    output_tokens: result.outputTokens + packaged.outputTokens,
    ...(result.placeholderFiles > 0 ? { placeholder_files: result.placeholderFiles } : {}),
  };
  const index = indexPage({
    repoName: input.repoName,
    files,
    mode: "llm",
    model: deps.llm.model,
    placeholderFiles: result.placeholderFiles,
    fileSummaries: result.fileSummaries,
    structure,
  });
  const { summaries, filePages, placeholders } = result;
  // Files the model did not document get placeholder pages and summaries made when packed.
  const pages = new LazyMap(
    files.map((file) => file.path),
    (path, i) => filePages.get(path) ?? placeholderPage(files[i]!, placeholders.get(path) ?? (forModel.includes(files[i]!) ? "llm-error" : "no-llm"), links),
  );
  return { docs, summaries, filePages: pages, ...shared(index) };
}

function placeholderDocs(
  repoName: string,
  files: DocumentFile[],
  deps: DocumentDeps,
  structure: Structure,
  links: PageLinks,
  shared: (index: string) => Omit<DocumentOutput, "docs" | "summaries" | "filePages">,
): DocumentOutput {
  // Pages and summaries are derived from the symbols when asked for (see LazyMap): holding them all
  // until packing was the largest avoidable cost on big repositories.
  const filePages = new LazyMap(
    files.map((file) => file.path),
    (_path, i) => placeholderPage(files[i]!, "no-llm", links),
  );
  files.forEach((_file, i) => deps.onProgress?.(i + 1, files.length));
  const index = indexPage({
    repoName,
    files,
    mode: "placeholder",
    placeholderFiles: files.length,
    fileSummaries: new Map(),
    structure,
  });
  return { docs: { mode: "placeholder" }, summaries: new Map(), filePages, ...shared(index) };
}

function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number.parseInt(value ?? "", 10);
  return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : fallback;
}
