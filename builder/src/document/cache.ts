/**
 * Content-addressed cache of LLM answers: key = (model, prompt version, file sha256), so a
 * rebuild pays only for files whose content changed. One small JSON file per entry, written
 * atomically (temp file + rename) so concurrent builds never read half an entry.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export class DocCache {
  constructor(readonly dir: string) {}

  key(parts: { model: string; promptVersion: string; sha256: string }): string {
    return createHash("sha256")
      .update(`${parts.model}\0${parts.promptVersion}\0${parts.sha256}`)
      .digest("hex");
  }

  /** The stored value, or undefined when absent or unreadable (a broken entry is a miss). */
  async get(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(this.pathOf(key), "utf8"));
    } catch {
      return undefined;
    }
  }

  /** Stores a value; a cache that cannot be written costs money later, never the build. */
  async set(key: string, value: unknown): Promise<void> {
    const path = this.pathOf(key);
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(temp, JSON.stringify(value));
      await rename(temp, path);
    } catch {
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}

/** $XDG_CACHE_HOME/doctown, else ~/.cache/doctown, else <tmp>/doctown-cache. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "doctown");
  try {
    const home = env.HOME || homedir();
    if (home) return join(home, ".cache", "doctown");
  } catch {
    // No home directory (some container users): fall through to the temp dir.
  }
  return join(tmpdir(), "doctown-cache");
}
