/**
 * Secret redaction: secretlint's recommended rule set (AWS, GCP, Azure, GitHub, Slack, npm, OpenAI,
 * private keys, basic auth, ...) plus a few key-id formats it deliberately ignores. Every line a
 * finding touches is replaced whole, keeping the line count so symbol line numbers stay true.
 */
import { lintSource } from "@secretlint/core";
import { secretLintProfiler } from "@secretlint/profiler";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";

// secretlint's built-in profiler records a performance mark (and measure) for every rule on every
// file and keeps them all, searching them linearly: on a 3,000-file repository that is most of the
// scan time and ~100 MB of memory. We never read the profile, so the marks are switched off.
secretLintProfiler.mark = () => {};

const config = { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] };

/**
 * Formats outside the preset (or that it treats as non-secret) that we still keep out of docpacks;
 * a pattern with markers runs only on text holding one of them (a plain search is far faster).
 */
const EXTRA_PATTERNS: Array<[string, RegExp, markers?: string[]]> = [
  ["aws-access-key-id", /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g],
  ["github-token", /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g],
  ["private-key", /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g],
  ["slack-token", /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g],
  ["google-api-key", /\bAIza[0-9A-Za-z_-]{35}\b/g],
  ["stripe-key", /\b(?:sk|rk)_live_[0-9A-Za-z]{20,}\b/g],
  // The preset misses these outside .npmrc files, or with more than one `-` in the key.
  ["npm-auth-token", /_authToken\s*=\s*(?!\$\{)[^\s"'`]{8,}/g],
  ["sendgrid-key", /\bSG\.[\w-]{16,128}\.[\w-]{16,128}/g],
  // The preset finds these too, but reports a range as long as the key from the start of the
  // *name*: with the value on the next line, only the name's line would be redacted.
  // (From "secret" on: the lines are the same.)
  [
    "aws-secret-access-key",
    /(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)["'`]?\s*(?::|=>|=)\s*["'`]?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/g,
    ["ECRET", "ecret"],
  ],
];

/**
 * secretlint honours `secretlint-disable` comments in the text it checks; a repository must not be
 * able to switch redaction off, so the directives are defused (same length: ranges stay true).
 */
function withoutDirectives(content: string): string {
  return content.replace(/secretlint-(disable|enable)/g, "secretlint_$1");
}

/**
 * Running the preset costs ~0.5 ms a file, mostly rule set-up, and almost no source file holds a
 * secret. Every rule of the preset (v10.2.2) needs one of these literal markers to match (AWS key-id
 * prefixes, the start of the AWS rule's `secret_access_key` name (its account-id and key-id scans
 * are off by default, and the key ids are in EXTRA_PATTERNS; "secret" or "account" alone, common
 * words in code, sent ~1 file in 3 through the preset for nothing), PRIVATE KEY for key blocks and GCP key JSON,
 * `_authToken`, `npm_`, `x-oauth-basic`, Slack prefixes and webhook host, OpenAI's `T3BlbkFJ`,
 * `lin_api_`, SendGrid's `SG.`, Shopify's `shp??_`, GitHub prefixes, 1Password's `ops_ey`, and the
 * `proto://user:pass@` of basic auth), so a file without any cannot produce a finding and skips it.
 * Update this list together with the preset (the tests check a sample of every rule).
 */
const PRESET_MARKERS =
  /A3T|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA|(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)|PRIVATE KEY|x-oauth-basic|_authToken|npm_|xox[bparo]-|xapp-|T3BlbkFJ|lin_api_|SG\.|shp(?:pa|ca|at|ss)_|gh[pousr]_|github_pat_|ops_ey|[a-z]:\/\/[-\w]{1,256}:[-\w]{1,256}@/;
const SLACK_WEBHOOK_MARKER = /hooks\.slack\.com/i;

/** False only when no rule of the preset can match `content` (see PRESET_MARKERS). */
export function mayHoldPresetSecret(content: string): boolean {
  return PRESET_MARKERS.test(content) || SLACK_WEBHOOK_MARKER.test(content);
}

export type Redaction = { content: string; findings: string[] };

export const REDACTED_LINE = "[doctown: line redacted, possible secret]";

export async function redactSecrets(filePath: string, content: string): Promise<Redaction> {
  const ranges: Array<[number, number, string]> = [];
  if (mayHoldPresetSecret(content)) {
    const ext = filePath.includes(".") ? filePath.slice(filePath.lastIndexOf(".")) : "";
    const result = await lintSource({
      source: { filePath, content: withoutDirectives(content), ext, contentType: "text" },
      options: { config, maskSecrets: true, noPhysicFilePath: true },
    });
    for (const message of result.messages) ranges.push([message.range[0], message.range[1], message.ruleId]);
  }
  for (const [name, pattern, markers] of EXTRA_PATTERNS) {
    if (markers && !markers.some((marker) => content.includes(marker))) continue;
    for (const match of content.matchAll(pattern)) ranges.push([match.index, match.index + match[0].length, name]);
  }
  if (ranges.length === 0) return { content, findings: [] };
  return { content: redactLines(content, ranges), findings: [...new Set(ranges.map((r) => r[2]))] };
}

function redactLines(content: string, ranges: Array<[number, number, string]>): string {
  const lines = content.split("\n");
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const lineOf = (index: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const [from, to] of ranges) {
    const last = lineOf(Math.max(from, to - 1));
    for (let line = lineOf(from); line <= last; line++) {
      const indent = /^\s*/.exec(lines[line])?.[0] ?? "";
      lines[line] = indent + REDACTED_LINE;
    }
  }
  return lines.join("\n");
}
