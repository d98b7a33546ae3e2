/**
 * A server for an AWS JSON-protocol API (POST /, `X-Amz-Target: <Prefix>.<Operation>`, JSON body)
 * on 127.0.0.1. Errors are answered the way the SDK parses them: status 400 and `__type`.
 * Signatures are not checked (the simulation's credentials are dummies).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Operations = Record<string, (input: any, headers: IncomingHttpHeaders) => unknown | Promise<unknown>>;
export type AwsJsonServer = { url: string; calls: { operation: string; input: unknown }[]; close(): Promise<void> };

export async function startAwsJsonServer(options: { targetPrefix: string; version: "1.0" | "1.1"; operations: Operations }): Promise<AwsJsonServer> {
  const calls: { operation: string; input: unknown }[] = [];
  const contentType = `application/x-amz-json-${options.version}`;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(`${options.targetPrefix}.`) ? target.slice(options.targetPrefix.length + 1) : "";
    const answer = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text), "x-amzn-requestid": crypto.randomUUID() });
      res.end(text);
    };
    try {
      const handler = options.operations[operation];
      if (!handler) throw new AwsError("UnknownOperationException", `The simulation does not implement ${target || "(no target)"}.`);
      const input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
      calls.push({ operation, input });
      answer(200, (await handler(input, req.headers)) ?? {});
    } catch (error) {
      if (error instanceof AwsError) answer(error.status, { __type: error.type, message: error.message });
      else if ((error as Error).name === "AccessDeniedException") answer(400, { __type: "AccessDeniedException", message: (error as Error).message });
      else answer(500, { __type: "InternalServerError", message: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
