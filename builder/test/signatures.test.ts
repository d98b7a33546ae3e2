/**
 * Complete signatures (issue 16): parameters, defaults, annotations, generics and return types,
 * across lines, as one line; overloads apart; class properties with their types.
 */
import { describe, expect, it } from "vitest";
import { SIGNATURE_MAX_CHARS } from "@doctown/core/docpackFormat";
import { extractFile } from "../src/extract/extractFile";
import { normalise, withoutTrailingPunctuation } from "../src/extract/signature";

const symbolsOf = (path: string, language: string, content: string) => extractFile({ path, language, content });
const signatures = async (path: string, language: string, content: string) =>
  Object.fromEntries((await symbolsOf(path, language, content)).map((s) => [s.overload ? `${s.name}#${s.overload}` : s.parent ? `${s.parent}.${s.name}` : s.name, s.signature]));

describe("signatures", () => {
  it("TypeScript: multi-line overloads, generics, defaults, return types, arrow functions and property types", async () => {
    const content = `
export function useQuery<
  TQueryFnData = unknown,
  TError = DefaultError,
>(
  options: DefinedInitialDataOptions<TQueryFnData, TError>, // the options
  queryClient?: QueryClient,
): DefinedUseQueryResult<TQueryFnData, TError>

export function useQuery<TQueryFnData = unknown>(
  options: UseQueryOptions<TQueryFnData>,
  queryClient?: QueryClient,
): UseQueryResult<TQueryFnData>

export function useQuery(options: UseQueryOptions, queryClient?: QueryClient) {
  return useBaseQuery(options, QueryObserver, queryClient)
}

export const makeKey = <T extends string>(
  prefix: T,
  id: number = 1,
): \`\${T}:\${number}\` => \`\${prefix}:\${id}\`

export class QueryCache {
  #queries: Map<string, Query>
  config: QueryCacheConfig = {}
  private listeners: Array<
    (event: QueryCacheNotifyEvent) => void
  > = []
  build<TData>(
    client: QueryClient,
    options: QueryOptions<TData>,
  ): Query<TData> {
    return null!
  }
}

export interface Options {
  retry?: boolean | number
  onError?: (
    error: Error,
  ) => void
}
`;
    const sig = await signatures("query.ts", "typescript", content);
    expect(sig["useQuery#1"]).toBe(
      "export function useQuery<TQueryFnData = unknown, TError = DefaultError>(options: DefinedInitialDataOptions<TQueryFnData, TError>, queryClient?: QueryClient): DefinedUseQueryResult<TQueryFnData, TError>",
    );
    expect(sig["useQuery#2"]).toBe("export function useQuery<TQueryFnData = unknown>(options: UseQueryOptions<TQueryFnData>, queryClient?: QueryClient): UseQueryResult<TQueryFnData>");
    expect(sig["useQuery#3"]).toBe("export function useQuery(options: UseQueryOptions, queryClient?: QueryClient)");
    expect(sig.makeKey).toBe("export const makeKey = <T extends string>(prefix: T, id: number = 1): `${T}:${number}`");
    expect(sig["QueryCache.config"]).toBe("config: QueryCacheConfig = {}");
    expect(sig["QueryCache.listeners"]).toBe("private listeners: Array<(event: QueryCacheNotifyEvent) => void> = []");
    expect(sig["QueryCache.build"]).toBe("build<TData>(client: QueryClient, options: QueryOptions<TData>): Query<TData>");
    expect(sig["Options.onError"]).toBe("onError?: (error: Error) => void");
    expect(sig.QueryCache).toBe("export class QueryCache");
    // overloads keep distinct ids, and say which overload they are
    const ids = (await symbolsOf("query.ts", "typescript", content)).filter((s) => s.name === "useQuery").map((s) => [s.id, s.overload]);
    expect(ids).toEqual([["query.ts#useQuery", 1], ["query.ts#useQuery~2", 2], ["query.ts#useQuery~3", 3]]);
  });

  it("Python: annotations, defaults and return types across lines; class attributes with types", async () => {
    const content = `
class Client:
    timeout: float = 5.0
    retries: int

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,  # query string
        timeout: float = 10.0,
    ) -> "Response":
        pass
`;
    const sig = await signatures("client.py", "python", content);
    expect(sig["Client.request"]).toBe('def request(self, method: str, url: str, *, params: dict[str, str] | None = None, timeout: float = 10.0) -> "Response"');
    expect(sig["Client.timeout"]).toBe("timeout: float = 5.0");
    expect(sig["Client.retries"]).toBe("retries: int");
    expect(sig.Client).toBe("class Client");
  });

  it("Go, Rust and Java: multi-line parameter lists, generics, where clauses", async () => {
    const go = await signatures("s.go", "go", `package s\n\nfunc (s *Server) Handle(\n\tctx context.Context,\n\treq *Request,\n) (*Response, error) {\n\treturn nil, nil\n}\n\ntype Server struct {\n\tAddr string\n}\n\nfunc Map[T any, U any](xs []T, f func(T) U) []U { return nil }\n`);
    expect(go["Server.Handle"]).toBe("func (s *Server) Handle(ctx context.Context, req *Request) (*Response, error)");
    expect(go.Server).toBe("type Server struct"); // up to its fields
    expect(go.Map).toBe("func Map[T any, U any](xs []T, f func(T) U) []U");
    const rust = await signatures("lib.rs", "rust", `pub fn merge<K, V>(\n    left: HashMap<K, V>,\n    right: HashMap<K, V>,\n) -> HashMap<K, V>\nwhere\n    K: Eq + Hash,\n{\n    left\n}\n`);
    expect(rust.merge).toBe("pub fn merge<K, V>(left: HashMap<K, V>, right: HashMap<K, V>) -> HashMap<K, V> where K: Eq + Hash");
    const java = await signatures("A.java", "java", `public class A {\n  public <T> List<T> pick(\n      List<T> items,\n      int count) throws IOException {\n    return items;\n  }\n  private final Map<String, Integer> counts = new HashMap<>();\n}\n`);
    expect(java["A.pick"]).toBe("public <T> List<T> pick(List<T> items, int count) throws IOException");
    expect(java["A.counts"]).toBe("private final Map<String, Integer> counts = new HashMap<>()");
  });

  it(`normalises to one line of at most ${SIGNATURE_MAX_CHARS} characters, then "…"`, async () => {
    const params = Array.from({ length: 120 }, (_, i) => `  parameterNumber${i}: string,`).join("\n");
    const sig = await signatures("long.ts", "typescript", `export function long(\n${params}\n): void {}\n`);
    expect(sig.long!.length).toBe(SIGNATURE_MAX_CHARS);
    expect(sig.long!.endsWith("…")).toBe(true);
    expect(sig.long).not.toContain("\n");
  });
});

describe("signature text", () => {
  /** Seeded strings over characters that matter to signatures. */
  function* randomTexts(alphabet: string[], count: number, seed: number): Generator<string> {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < count; i++) {
      let text = "";
      for (let n = next() % 24; n > 0; n--) text += alphabet[next() % alphabet.length];
      yield text;
    }
  }

  it("normalises a line that needs nothing as the full pass would", () => {
    const alphabet = ["a", "b1", " ", "  ", "(", ")", "[", "]", "{", "}", "<", ">", ",", ";", ":", "=", "=>", "'", '"', "`", "?", "\n", "\t", "é", "\u00a0"];
    let fast = 0;
    for (const text of randomTexts(alphabet, 20_000, 11)) {
      // A line break at the end makes normalise take its full pass, and changes nothing else.
      expect(normalise(text)).toBe(normalise(`${text}\n`));
      if (!/[\n\t\u00a0é]|  /.test(text)) fast++;
    }
    expect(fast).toBeGreaterThan(1_000);
  });

  it("drops the head-ending tokens a line ends with, and the white space before each", () => {
    const alphabet = ["a", " ", "\n", "=", ">", "=>", "{", ":", ";", ",", "<", ")", "\u00a0"];
    for (const text of randomTexts(alphabet, 20_000, 5)) expect(withoutTrailingPunctuation(text)).toBe(text.replace(/(\s*(=>|[{:=;,]))+$/, ""));
    expect(withoutTrailingPunctuation("function f(a: number): number {")).toBe("function f(a: number): number");
    expect(withoutTrailingPunctuation("const f = (a) =>")).toBe("const f = (a)");
  });
});
