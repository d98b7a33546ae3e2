/**
 * Entry of the RunPod image. RunPod's queue-based workers are driven by its Python SDK (there is
 * no maintained Node worker SDK), so this image is meant for a RunPod *load-balancing* endpoint:
 * the worker is a plain HTTP server — ours, speaking the /v2/{id}/run|status|cancel shape — on
 * PORT (default 80), with the /ping health check RunPod requires on PORT_HEALTH (default PORT).
 * See README "Builder" for the deployment settings and limits.
 */
import { createServer } from "node:http";
import { serveFromEnv } from "./serve";

async function main() {
  const server = await serveFromEnv(process.env, { host: "0.0.0.0", port: 80 });
  console.error(`doctown builder worker listening on ${server.url}`);
  const healthPort = process.env.PORT_HEALTH?.trim();
  if (healthPort && healthPort !== (process.env.PORT?.trim() || "80")) {
    // RunPod probes /ping on PORT_HEALTH: 200 = healthy.
    createServer((req, res) => {
      const ok = req.method === "GET" && req.url === "/ping";
      res.writeHead(ok ? 200 : 404, { "content-type": "application/json" }).end(ok ? '{"status":"healthy"}' : "{}");
    }).listen(Number(healthPort), "0.0.0.0");
  }
}

main().catch((error: Error) => {
  console.error(`doctown builder worker: ${error.message}`);
  process.exit(2);
});
