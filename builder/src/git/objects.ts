/**
 * Reading a commit's tree and blobs straight from a bare repository: `git ls-tree` for the listing and
 * one long-lived `git cat-file --batch` process streaming the blobs, so no working tree is ever written.
 */
import { spawn } from "node:child_process";
import { BuildError } from "../errors";
import { gitConfig, gitEnv, type GitAccess } from "./env";

export type TreeEntry = {
  mode: string;
  type: string;
  oid: string;
  size: number;
  path: string;
  /** the name in git is not valid UTF-8: `path` shows it with U+FFFD, and may equal another's */
  undecodablePath?: true;
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export type GitRepoHandle = {
  gitDir: string;
  access: GitAccess;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  inactivityTimeoutMs?: number;
};

function gitArgs(repo: GitRepoHandle, args: string[]): string[] {
  return [...gitConfig(repo.access).flatMap((c) => ["-c", c]), "--git-dir", repo.gitDir, ...args];
}

/** Runs git, streaming stdout chunks to `onData`; stderr is kept for the error message. */
function runGit(
  repo: GitRepoHandle,
  args: string[],
  onData: (chunk: Buffer) => void | Promise<void>,
  input?: (stdin: NodeJS.WritableStream) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", gitArgs(repo, args), {
      env: gitEnv(repo.env, repo.access),
      stdio: ["pipe", "pipe", "pipe"],
      signal: repo.signal,
    });
    let stderr = "";
    let failure: Error | undefined;
    let inflight: Promise<unknown> = Promise.resolve();
    const limit = repo.inactivityTimeoutMs ?? 120_000;
    let timer = setTimeout(onIdle, limit);
    function onIdle() {
      failure = new BuildError("timeout", `git ${args[0]} stopped responding`);
      child.kill("SIGKILL");
    }
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(onIdle, limit);
    };
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    // Back-pressure: pause stdout while the consumer works on a chunk.
    child.stdout.on("data", (chunk: Buffer) => {
      touch();
      const result = onData(chunk);
      if (result) {
        child.stdout.pause();
        inflight = result.then(
          () => child.stdout.resume(),
          (error) => {
            failure ??= error;
            child.kill("SIGKILL");
          },
        );
      }
    });
    child.on("error", (error) => {
      failure ??= repo.signal?.aborted ? new BuildError("aborted", "build cancelled") : error;
    });
    child.on("close", async (code) => {
      clearTimeout(timer);
      await inflight;
      if (failure) return reject(failure);
      if (repo.signal?.aborted) return reject(new BuildError("aborted", "build cancelled"));
      if (code !== 0) return reject(new BuildError("git_failed", `git ${args[0]} failed: ${stderr.trim().split("\n")[0] ?? code}`));
      resolve();
    });
    if (input) input(child.stdin);
    else child.stdin.end();
  });
}

/** Every entry of the commit's tree, recursively (blobs, symlinks, submodules), sorted by path. */
export async function listTree(repo: GitRepoHandle, commit: string): Promise<TreeEntry[]> {
  const chunks: Buffer[] = [];
  await runGit(repo, ["ls-tree", "-r", "-z", "--long", "--full-tree", commit], (c) => void chunks.push(c));
  const entries: TreeEntry[] = [];
  for (const { text: record, valid } of nulSeparated(Buffer.concat(chunks))) {
    if (!record) continue;
    // "<mode> SP <type> SP <oid> SP+ <size> TAB <path>"
    const tab = record.indexOf("\t");
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    const entry: TreeEntry = { mode, type, oid, size: size === "-" ? 0 : Number(size), path: record.slice(tab + 1) };
    if (!valid) entry.undecodablePath = true;
    entries.push(entry);
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** NUL-separated records as text; one record at a time only when the whole is not valid UTF-8. */
function* nulSeparated(data: Buffer): Generator<{ text: string; valid: boolean }> {
  try {
    for (const text of strictUtf8.decode(data).split("\0")) yield { text, valid: true };
    return;
  } catch {
    // some name is not UTF-8: find which
  }
  for (let start = 0; start < data.length; ) {
    const nul = data.indexOf(0, start);
    const end = nul === -1 ? data.length : nul;
    const bytes = data.subarray(start, end);
    let valid = true;
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      valid = false;
      text = bytes.toString("utf8");
    }
    yield { text, valid };
    start = end + 1;
  }
}

/**
 * Streams the blobs `oids` in order through one `git cat-file --batch`, calling `onBlob` for each
 * (awaited: the next blob is not parsed until the consumer is done).
 */
export async function readBlobs(
  repo: GitRepoHandle,
  oids: string[],
  onBlob: (index: number, content: Buffer) => void | Promise<void>,
): Promise<void> {
  if (oids.length === 0) return;
  let pending = Buffer.alloc(0);
  let index = 0;
  let expected = -1; // size of the blob whose header was read, -1 while waiting for a header
  const consume = async (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (expected < 0) {
        const newline = pending.indexOf(10);
        if (newline < 0) return;
        const header = pending.subarray(0, newline).toString("latin1");
        const match = /^[0-9a-f]+ blob (\d+)$/.exec(header);
        if (!match) throw new BuildError("git_failed", `unexpected git cat-file output: ${header.slice(0, 100)}`);
        expected = Number(match[1]);
        pending = pending.subarray(newline + 1);
      }
      if (pending.length < expected + 1) return;
      // A view, not a copy: stream chunks are never reused, and the consumer is awaited before the
      // next blob, so the bytes stay as they are while it reads them (it must not keep the view).
      const content = pending.subarray(0, expected);
      pending = pending.subarray(expected + 1);
      expected = -1;
      await onBlob(index++, content);
    }
  };
  // --buffer: one flush at the end instead of one per blob (a large win on thousands of small files).
  await runGit(repo, ["cat-file", "--batch", "--buffer"], consume, (stdin) => {
    stdin.on("error", () => {}); // git exiting early surfaces through its exit code
    stdin.end(oids.join("\n") + "\n");
  });
  if (index !== oids.length) throw new BuildError("git_failed", `git cat-file returned ${index} of ${oids.length} blobs`);
}
