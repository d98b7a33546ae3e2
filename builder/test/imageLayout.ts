/**
 * The Docker image's runtime stage (builder/Dockerfile), made on disk outside the workspace: every
 * COPY line of the last stage is replayed from this checkout (builder/dist from a fresh bundle),
 * so a file the Dockerfile forgets is missing here too, and nothing can resolve from the
 * workspace's node_modules. The virtual environment (/opt/venv) is the tests' .venv-runpod.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./pythonWorker";

export interface DockerCopy {
  from?: string;
  source: string;
  target: string;
}

/** The COPY lines of the Dockerfile's last stage, and its CMD. */
export function runtimeStage(dockerfile = path.join(repoRoot, "builder", "Dockerfile")): { copies: DockerCopy[]; cmd: string[] } {
  const lines = readFileSync(dockerfile, "utf8").split("\n");
  const lastFrom = lines.findLastIndex((line) => /^FROM\s/.test(line));
  const copies: DockerCopy[] = [];
  let cmd: string[] = [];
  for (const line of lines.slice(lastFrom)) {
    const copy = /^COPY\s+(?:--from=(\S+)\s+)?(\S+)\s+(\S+)\s*$/.exec(line);
    if (copy) copies.push({ from: copy[1], source: copy[2], target: copy[3] });
    const command = /^CMD\s+(\[.*\])\s*$/.exec(line);
    if (command) cmd = JSON.parse(command[1]);
  }
  return { copies, cmd };
}

/**
 * Writes the runtime stage's files under `appDir` (the image's WORKDIR /app). Sources from other
 * stages map to this checkout: /src/<path> is <repo>/<path>, /src/builder/dist/<file> is
 * `bundleDir`/<file>; /opt/venv is skipped (the caller runs the tests' venv python).
 */
export function makeImageLayout(appDir: string, bundleDir: string): DockerCopy[] {
  const { copies } = runtimeStage();
  for (const copy of copies) {
    if (copy.source === "/opt/venv") continue;
    let source: string;
    if (!copy.from) source = path.join(repoRoot, copy.source);
    else if (copy.source.startsWith("/src/builder/dist/")) source = path.join(bundleDir, copy.source.slice("/src/builder/dist/".length));
    else if (copy.source.startsWith("/src/")) source = path.join(repoRoot, copy.source.slice("/src/".length));
    else throw new Error(`imageLayout: no local source for COPY --from=${copy.from} ${copy.source}`);
    const target = path.join(appDir, copy.target);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true, dereference: true });
  }
  return copies;
}
