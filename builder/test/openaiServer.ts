/**
 * A local OpenAI-compatible server (POST /v1/chat/completions, the documented response shape
 * including `usage`) on 127.0.0.1. It answers each file prompt with JSON built from the prompt's
 * own symbol list (a package prompt with an overview), and lets a test script failures per request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  path: string;
  model: string;
  authorization: string | undefined;
  userMessage: string;
}

/** Return a value to override the normal answer for this request. */
export type Script = (request: RecordedRequest, index: number) =>
  | { status: number; headers?: Record<string, string>; body?: string }
  | { content: string }
  | undefined;

export async function startOpenAiServer(options: { delayMs?: number; usage?: { prompt: number; completion: number }; script?: Script } = {}) {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const parsed = JSON.parse(body) as { model: string; messages: Array<{ role: string; content: string }> };
      const userMessage = parsed.messages.find((m) => m.role === "user")?.content ?? "";
      const recorded: RecordedRequest = {
        path: /^Path: (.*)$/m.exec(userMessage)?.[1] ?? "",
        model: parsed.model,
        authorization: req.headers.authorization,
        userMessage,
      };
      const index = requests.push(recorded) - 1;
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const scripted = options.script?.(recorded, index);
      if (scripted && "status" in scripted) {
        res.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers });
        res.end(scripted.body ?? JSON.stringify({ error: { message: `scripted ${scripted.status}`, type: "test" } }));
        return;
      }
      const content = scripted?.content ?? JSON.stringify(answerFor(userMessage, recorded.path));
      const usage = options.usage ?? { prompt: Math.ceil(userMessage.length / 4), completion: Math.ceil(content.length / 4) };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${index}`,
          object: "chat.completion",
          created: 1_700_000_000,
          model: parsed.model,
          choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: "stop" }],
          usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
        }),
      );
    } finally {
      inFlight -= 1;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function answerFor(userMessage: string, path: string) {
  // A package overview request (document/packageOverview.ts)
  const pkg = /^Package: (.*)$/m.exec(userMessage)?.[1];
  if (pkg) return { overview: `LLM overview of ${pkg}. It exports ${[...userMessage.matchAll(/^- /gm)].length} APIs.` };
  const names = [...userMessage.matchAll(/^- (\S+) \(/gm)].map((m) => m[1]);
  return {
    file_summary: `LLM summary of ${path}. It does things.`,
    symbols: names.map((name) => ({ name, summary: `LLM says ${name} works.` })),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
