/**
 * LLM documentation: one chat-completion request per file, at most `concurrency` in flight,
 * a per-job token budget (files beyond it get placeholders), and a cache keyed by
 * (model, prompt version, file sha256). Retries (429/5xx, honouring Retry-After) are the SDK's,
 * configured with an explicit maxRetries by the caller. A bad answer costs one file, not the job.
 */
import type OpenAI from "openai";
import { APIError, APIUserAbortError } from "openai";
import pLimit from "p-limit";
import { withSymbols, type DocumentFile } from "./types";
import type { DocCache } from "./cache";
import { LlmAnswer, PROMPT_VERSION, buildFilePrompt, estimateTokens, minimumRequestTokens } from "./prompt";
import { fileFacts, placeholderSummary, qualifiedName, symbolSections, type PageLinks } from "./placeholder";
import { firstSentence, inlineCode } from "./markdown";

export interface LlmSettings {
  client: OpenAI;
  model: string;
  concurrency: number;
  /** Input + output tokens this job may spend. */
  tokenBudget: number;
  maxInputTokensPerFile?: number;
  maxOutputTokensPerFile?: number;
  cache?: DocCache;
}

export interface LlmDocs {
  /** symbol id → summary, for the files the model documented */
  summaries: Map<string, string>;
  /** path → page, for the files the model documented */
  filePages: Map<string, string>;
  /**
   * path → why the file gets placeholder docs. Their pages and summaries are made when packed, not
   * held here: beyond the token budget that can be most files of a large repository.
   */
  placeholders: Map<string, "budget" | "llm-error">;
  /** First sentence of each LLM file summary, for the index page. */
  fileSummaries: Map<string, string>;
  inputTokens: number;
  outputTokens: number;
  placeholderFiles: number;
}

type Outcome = { answer: LlmAnswer } | { placeholder: "budget" | "llm-error" };

const DEFAULT_MAX_INPUT_TOKENS = 6_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 1_200;
/** Errors that will not get better on the next file: stop asking. */
const FATAL_STATUSES = new Set([401, 403, 404]);
/**
 * Requests failing in a row, each after the SDK's own retries (unreachable endpoint, timeouts,
 * 429/5xx that outlast the backoff): the model is out of reach, stop asking. Without this, a
 * repository of thousands of files would spend ~15 s of retries on each before finishing.
 */
const GIVE_UP_AFTER_FAILURES = 3;

export async function documentWithLlm(
  files: DocumentFile[],
  settings: LlmSettings,
  options: { signal?: AbortSignal; onFileDone?: (done: number, total: number) => void; links?: PageLinks } = {},
): Promise<LlmDocs> {
  const maxInput = settings.maxInputTokensPerFile ?? DEFAULT_MAX_INPUT_TOKENS;
  const maxOutput = settings.maxOutputTokensPerFile ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const out: LlmDocs = {
    summaries: new Map(),
    filePages: new Map(),
    placeholders: new Map(),
    fileSummaries: new Map(),
    inputTokens: 0,
    outputTokens: 0,
    placeholderFiles: 0,
  };
  let reserved = 0; // tokens promised to requests in flight or spent
  let fatal = false;
  let failuresInARow = 0;
  let done = 0;
  const limit = pLimit(Math.max(1, settings.concurrency));
  // Loaded here, not at start-up: the Markdown parser is only needed when a model writes pages.
  const { embeddedMarkdown } = await import("./modelMarkdown");

  const documentFile = async (file: DocumentFile): Promise<Outcome> => {
    options.signal?.throwIfAborted();
    const cacheKey = settings.cache?.key({
      model: settings.model,
      promptVersion: PROMPT_VERSION,
      sha256: file.sha256,
    });
    const cached = cacheKey ? LlmAnswer.safeParse(await settings.cache!.get(cacheKey)) : undefined;
    if (cached?.success) return { answer: cached.data };

    if (fatal) return { placeholder: "llm-error" };
    // Once not even the smallest request fits, the rest of a large repository is not read again.
    if (reserved + minimumRequestTokens(maxOutput) > settings.tokenBudget) return { placeholder: "budget" };
    // The text may be read from disk (see ExtractDeps.contentAfterParse): only when it may be sent.
    const prompt = buildFilePrompt({ ...withSymbols(file), content: file.content }, maxInput);
    const cost = prompt.inputTokens + maxOutput;
    if (reserved + cost > settings.tokenBudget) return { placeholder: "budget" };
    reserved += cost;

    let answer: LlmAnswer | undefined;
    try {
      const response = await settings.client.chat.completions.create(
        {
          model: settings.model,
          messages: prompt.messages,
          response_format: { type: "json_object" },
          max_tokens: maxOutput,
          temperature: 0.2,
        },
        { signal: options.signal },
      );
      failuresInARow = 0;
      const inputTokens = response.usage?.prompt_tokens ?? prompt.inputTokens;
      const text = response.choices[0]?.message?.content ?? "";
      const outputTokens = response.usage?.completion_tokens ?? estimateTokens(text);
      out.inputTokens += inputTokens;
      out.outputTokens += outputTokens;
      reserved += inputTokens + outputTokens - cost; // settle the reservation at the real cost
      answer = parseAnswer(text);
    } catch (error) {
      reserved -= cost;
      if (error instanceof APIUserAbortError || options.signal?.aborted) throw error;
      const hopeless = error instanceof APIError && error.status !== undefined && FATAL_STATUSES.has(error.status);
      if (hopeless || ++failuresInARow >= GIVE_UP_AFTER_FAILURES) fatal = true;
    }
    if (!answer) return { placeholder: "llm-error" };
    if (cacheKey) await settings.cache!.set(cacheKey, answer);
    return { answer };
  };

  const storeAnswer = (input: DocumentFile, answer: LlmAnswer): void => {
    const file = withSymbols(input);
    const byName = new Map(answer.symbols.map((entry) => [entry.name, entry.summary]));
    const summaries = new Map<string, string>();
    for (const symbol of file.symbols) {
      const summary = byName.get(qualifiedName(symbol)) ?? byName.get(symbol.name) ?? placeholderSummary(symbol);
      if (summary) summaries.set(symbol.id, summary.replace(/\s+/g, " "));
    }
    for (const [id, summary] of summaries) out.summaries.set(id, summary);
    // The model writes Markdown, but a repository can steer what it writes: it stays in its section.
    const overview = embeddedMarkdown(answer.file_summary);
    out.filePages.set(file.path, llmPage(file, overview, summaries, settings.model, options.links));
    out.fileSummaries.set(file.path, firstSentence(answer.file_summary));
  };

  const storePlaceholder = (file: DocumentFile, reason: "budget" | "llm-error"): void => {
    out.placeholders.set(file.path, reason);
    out.placeholderFiles += 1;
  };

  const outcomes = await Promise.all(
    files.map((file) =>
      limit(async () => {
        const outcome = await documentFile(file);
        options.onFileDone?.(++done, files.length);
        return outcome;
      }),
    ),
  );
  // Stored in input order, not completion order: the output does not depend on timing.
  files.forEach((file, i) => {
    const outcome = outcomes[i];
    if ("answer" in outcome) storeAnswer(file, outcome.answer);
    else storePlaceholder(file, outcome.placeholder);
  });
  return out;
}

/** Models sometimes wrap JSON in a code fence; anything else that is not the schema is refused. */
function parseAnswer(text: string): LlmAnswer | undefined {
  const unfenced = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n```$/, "$1");
  try {
    const parsed = LlmAnswer.safeParse(JSON.parse(unfenced));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** `overview`: the model's file summary, already held inside its section (embeddedMarkdown). */
function llmPage(
  file: DocumentFile,
  overview: string,
  summaries: Map<string, string>,
  model: string,
  links: PageLinks = {},
): string {
  const lines = [
    `# ${inlineCode(file.path)}`,
    "",
    `> Generated by a language model (${inlineCode(model)}) from this file's code and symbols.`,
    "",
    fileFacts(file, links),
    "",
    // Not "Overview": a symbol of that name would then get a different anchor here than on a
    // placeholder page, and symbolAnchors must hold for both (no identifier slugs to this).
    "## About this file",
    "",
    overview,
    "",
    ...symbolSections(file, summaries, links),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}
