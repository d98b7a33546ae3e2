/**
 * scan: decides which tracked files of the commit enter the docpack and reads them from the object
 * store. Only the tree is considered (nothing untracked exists: there is no checkout); symlinks and
 * submodules are never followed; every skipped file is counted by reason. Secret redaction happens
 * here, so every later stage only ever sees redacted text.
 */
import { createHash } from "node:crypto";
import { throwIfAborted } from "../errors";
import { listTree, readBlobs, type GitRepoHandle, type TreeEntry } from "../git/objects";
import { languageFromPath, languageFromShebang, mayHaveShebang } from "../scan/languages";
import { isSafeRelativePath } from "../safePath";
import { redactSecrets } from "../scan/redact";
import { fileRole } from "../scan/roles";
import { contentLooksGenerated, pathVerdict } from "../scan/rules";
import type { SourceFile } from "../types";

export type SkipReason =
  | "symlink"
  | "submodule"
  | "secret_file"
  | "vendored"
  | "generated"
  | "unsupported"
  | "too_large"
  | "limit"
  | "binary"
  | "unsafe_path";

export type ScanLimits = { maxFileBytes: number; maxFiles: number; maxTotalBytes: number };
export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxFileBytes: 1024 * 1024, maxFiles: 50_000, maxTotalBytes: 200 * 1024 * 1024 };

export type ScanDeps = {
  repo: GitRepoHandle;
  limits?: Partial<ScanLimits>;
  /** fraction of blobs read, 0..1 */
  onProgress?: (fraction: number) => void;
  /** called once, before reading: how many files (and bytes) will be read at most, in which languages (by path) */
  onPlan?: (plan: { files: number; bytes: number; languages: string[] }) => void;
  /**
   * called for every accepted file as soon as it is read (and redacted); reading waits for it. The
   * file is then the caller's: the result's `files` does not hold it (nor its text) any more.
   */
  onFile?: (file: SourceFile) => void | Promise<void>;
};

export type ScanResult = {
  /** the accepted files (none when `onFile` took them) */
  files: SourceFile[];
  /** how many files were accepted */
  accepted: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** files skipped as unsupported, by lower-case extension ("" = none) */
  skippedExtensions: Record<string, number>;
  /** paths whose content had lines redacted (the content itself never leaves this stage unredacted) */
  redactedFiles: string[];
};

type Candidate = { entry: TreeEntry; language: string | undefined };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export async function scanStage(commit: string, deps: ScanDeps): Promise<ScanResult> {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...deps.limits };
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skippedExtensions: Record<string, number> = {};
  const skip = (reason: SkipReason, path?: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (reason !== "unsupported" || path === undefined) return;
    const extension = extensionOf(path);
    skippedExtensions[extension] = (Object.hasOwn(skippedExtensions, extension) ? skippedExtensions[extension]! : 0) + 1;
  };

  const candidates = selectByPath(await listTree(deps.repo, commit), limits, skip);
  throwIfAborted(deps.repo.signal);
  deps.onPlan?.({
    files: candidates.length,
    bytes: candidates.reduce((sum, c) => sum + c.entry.size, 0),
    languages: [...new Set(candidates.flatMap((c) => (c.language ? [c.language] : [])))],
  });

  const files: SourceFile[] = [];
  let accepted = 0;
  const redactedFiles: string[] = [];
  const step = Math.max(1, Math.floor(candidates.length / 50));
  await readBlobs(
    deps.repo,
    candidates.map((c) => c.entry.oid),
    async (index, buffer) => {
      if (index % step === 0) {
        throwIfAborted(deps.repo.signal);
        deps.onProgress?.(index / candidates.length);
      }
      const { entry, language: byPath } = candidates[index];
      const text = decodeText(buffer);
      if (text === undefined) return skip("binary");
      const language = byPath ?? languageFromShebang(text.slice(0, Math.max(0, text.indexOf("\n")) || 200));
      if (!language) return skip("unsupported", entry.path);
      if (contentLooksGenerated(text, language)) return skip("generated");
      const redaction = await redactSecrets(entry.path, text);
      if (redaction.findings.length > 0) redactedFiles.push(entry.path);
      const file = toSourceFile(entry.path, language, redaction.content);
      accepted++;
      if (deps.onFile) await deps.onFile(file);
      else files.push(file);
    },
  );
  deps.onProgress?.(1);
  return { files, accepted, skipped, skippedExtensions, redactedFiles };
}

/** ".png", ".d" ... or "" for a name without one (a leading dot is not an extension). */
function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const dot = base.lastIndexOf(".");
  return dot > 0 && base.length - dot <= 16 ? base.slice(dot) : "";
}

/** Path- and size-based decisions, in path order; the limits keep the first files that fit. */
function selectByPath(entries: TreeEntry[], limits: ScanLimits, skip: (reason: SkipReason, path?: string) => void): Candidate[] {
  const selected: Candidate[] = [];
  let totalBytes = 0;
  for (const entry of entries) {
    if (entry.mode === "120000") skip("symlink");
    else if (entry.mode === "160000" || entry.type === "commit") skip("submodule");
    else if (entry.type !== "blob") skip("unsupported");
    // Names that could stand for another file or cannot be written into a ZIP (a crafted tree can
    // hold `..`; git itself would refuse to check it out), or that are not UTF-8.
    else if (entry.undecodablePath || !isSafeRelativePath(entry.path)) skip("unsafe_path");
    else {
      const verdict = pathVerdict(entry.path);
      const language = languageFromPath(entry.path);
      if (verdict) skip(verdict);
      else if (!language && !mayHaveShebang(entry.path)) skip("unsupported", entry.path);
      else if (entry.size > limits.maxFileBytes) skip("too_large");
      else if (selected.length >= limits.maxFiles || totalBytes + entry.size > limits.maxTotalBytes) skip("limit");
      else {
        totalBytes += entry.size;
        selected.push({ entry, language });
      }
    }
  }
  return selected;
}

/** UTF-8 text without NUL bytes, or undefined for anything binary. */
function decodeText(buffer: Buffer): string | undefined {
  if (buffer.includes(0)) return undefined;
  try {
    return utf8.decode(buffer);
  } catch {
    return undefined;
  }
}

function toSourceFile(path: string, language: string, content: string): SourceFile {
  let lines = 0;
  for (let i = content.indexOf("\n"); i !== -1; i = content.indexOf("\n", i + 1)) lines++;
  if (content.length > 0 && !content.endsWith("\n")) lines++;
  return {
    path,
    language,
    bytes: Buffer.byteLength(content),
    lines,
    sha256: createHash("sha256").update(content).digest("hex"),
    role: fileRole(path, language),
    content,
  };
}
