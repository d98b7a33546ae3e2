/**
 * A tiny HTTP server on 127.0.0.1 (random port) for standing in for a third-party API at its
 * HTTP boundary. Handlers get the parsed request and answer with a status, JSON body and headers.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export type FakeRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  json(): unknown;
};
export type FakeResponse = { status: number; body?: unknown; headers?: Record<string, string> };
export type FakeServer = { url: string; requests: FakeRequest[]; close(): Promise<void> };

export async function startFakeServer(
  handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>,
  options: { tls?: { key: string; cert: string } } = {},
): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const listener: RequestListener = async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    const body = Buffer.concat(chunks).toString("utf8");
    const req: FakeRequest = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
      json: () => (body ? JSON.parse(body) : undefined),
    };
    requests.push(req);
    let response: FakeResponse;
    try {
      response = await handle(req);
    } catch (error) {
      response = { status: 500, body: { message: (error as Error).message } };
    }
    const payload = response.body === undefined ? "" : typeof response.body === "string" ? response.body : JSON.stringify(response.body);
    outgoing.writeHead(response.status, { "content-type": "application/json", ...response.headers });
    outgoing.end(payload);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
