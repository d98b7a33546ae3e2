/** Small formatting helpers shared by the pages. */
import type { JobView } from "./types";

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "unknown size";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const shortCommit = (commit: string) => (typeof commit === "string" ? commit.slice(0, 7) : "");

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "unknown date" : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

const STATUS_WORDS: Record<string, string> = {
  pending: "Waiting to start",
  building: "Building",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};
export const statusWords = (status: string) => STATUS_WORDS[status] ?? status;

/** What the job is doing now, in words. */
export function jobActivity(job: JobView): string {
  if (job.status === "failed") return `Failed: ${job.error?.message ?? "the build stopped without a reason."}`;
  if (job.status === "cancelled") return job.error?.message ? `Cancelled: ${job.error.message}` : "Cancelled.";
  if (job.status === "completed") return "The docpack is ready.";
  if (job.status === "pending") return "Waiting for a builder…";
  const stage = job.stage ? job.stage[0].toUpperCase() + job.stage.slice(1) : "Working";
  return job.message ? `${stage}: ${job.message}` : `${stage}…`;
}

/** An element with text (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  // Object.assign's intersection type (element & Partial<element>) is too complex for the checker.
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** "1 file", "2,400 files". */
export const plural = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** "850 ms", "12.3 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "unknown";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
