/**
 * A lock between processes that make the same thing once (a site build, a virtual environment, a
 * synthesis): creating a directory is atomic, so whoever creates it holds the lock. A lock older
 * than `staleMs` is one whose holder died; it is removed so the next attempt can take it.
 */
import { mkdirSync, rmSync, statSync } from "node:fs";

export function takeDirLock(lock: string, staleMs: number): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > staleMs) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}
