import { describe, expect, it } from "vitest";
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { mayHoldPresetSecret, REDACTED_LINE, redactSecrets } from "../src/scan/redact";

// Fake secrets, assembled at run time so this file itself does not look like a leak.
const j = (...parts: string[]) => parts.join("");
const alnum = (n: number, seed = 7) => {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let i = 0; i < n; i++) out += chars[(i * seed + 11) % chars.length];
  return out;
};
const KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0";

/** One sample per rule of secretlint's recommended preset, each a line the rule reports. */
const PRESET_SAMPLES: Array<[rule: string, line: string, path?: string]> = [
  ["aws", `AWS_SECRET_ACCESS_KEY = "${j("q7Zr/", alnum(35))}"`],
  ["aws", `const config = { secretAccessKey: '${j("Kx9", alnum(37, 5))}' };`],
  ["privatekey", j("-----BEGIN RSA ", "PRIVATE KEY-----\n", KEY_BODY, "\n-----END RSA ", "PRIVATE KEY-----")],
  ["privatekey", j("-----BEGIN OPENSSH ", "PRIVATE KEY-----\n", KEY_BODY, "\n-----END OPENSSH ", "PRIVATE KEY-----")],
  ["npm", `//registry.npmjs.org/:${j("_auth", "Token")}=${alnum(36)}`, ".npmrc"],
  ["npm", `const t = "${j("npm_", alnum(36))}";`],
  ["slack", `const t = "${j("xoxb-", "1234567890-1234567890123-", alnum(24))}";`],
  ["slack", `const hook = "${j("https://hooks.", "slack.com/services/", "T0ABCDEFG/B0ABCDEFG/", alnum(24))}";`],
  ["basicauth", `const url = "${j("https://", "deploy", ":", "s3cr3tPassw0rd", "@example.com/repo")}";`],
  ["openai", `const k = "${j("sk-", alnum(20), "T3BlbkFJ", alnum(20, 5))}";`],
  ["linear", `const k = "${j("lin_api_", alnum(40))}";`],
  ["sendgrid", `const k = "${j("SG.", alnum(22), ".", alnum(43, 5))}";`],
  ["shopify", `const k = "${j("shpat_", alnum(32))}";`],
  ["github", `const t = "${j("ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx")}";`],
  ["github", `const t = "${j("github_pat_", alnum(82))}";`],
];

describe("secret redaction", () => {
  it.each(PRESET_SAMPLES)("the preset's %s rule still sees and redacts: %s", async (rule, line, path = "src/config.ts") => {
    const content = `const before = 1;\n${line}\nconst after = 2;\n`;
    expect(mayHoldPresetSecret(content)).toBe(true);
    const result = await redactSecrets(path, content);
    expect(result.findings.some((id) => id === `@secretlint/secretlint-rule-${rule}`)).toBe(true);
    expect(result.content).toContain(REDACTED_LINE);
    expect(result.content.split("\n")).toHaveLength(content.split("\n").length);
    expect(result.content).toContain("const before = 1;");
    expect(result.content).toContain("const after = 2;");
  });

  it("the preset's gcp rule still sees a service-account key file", async () => {
    const content = JSON.stringify({ type: "service_account", private_key_id: "abc", private_key: j("-----BEGIN ", "PRIVATE KEY-----\n", KEY_BODY, "\n-----END PRIVATE KEY-----\n") });
    expect(mayHoldPresetSecret(content)).toBe(true);
    const result = await redactSecrets("deploy/service-account.json", content);
    expect(result.findings).toContain("@secretlint/secretlint-rule-gcp");
    expect(result.content).toBe(REDACTED_LINE);
  });

  it("skips the preset only for text no rule can match, and leaves such text unchanged", async () => {
    const plain = "export function add(a: number, b: number) {\n  return a + b; // see https://example.com/docs\n}\n";
    expect(mayHoldPresetSecret(plain)).toBe(false);
    expect(await redactSecrets("src/add.ts", plain)).toEqual({ content: plain, findings: [] });
    // Words that only name secrets are not one: the preset finds nothing in such text either.
    const words = "const accountId = 1234; // the Account's secret, SECRET_TOKEN\nexport const secretKey = 'not-forty-chars';\n";
    expect(mayHoldPresetSecret(words)).toBe(false);
    const linted = await lintSource({ source: { filePath: "src/words.ts", content: words, ext: ".ts", contentType: "text" }, options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] }, maskSecrets: true, noPhysicFilePath: true } });
    expect(linted.messages).toEqual([]);
  });

  it("cannot be switched off by secretlint-disable comments in the repository", async () => {
    const aws = `AWS_SECRET_ACCESS_KEY = "${j("q7Zr/", alnum(35))}"`;
    const basic = `const url = "${j("https://", "deploy", ":", "s3cr3tPassw0rd", "@example.com/repo")}";`;
    for (const directive of ["// secretlint-disable", "/* secretlint-disable -- fixtures */", "# secretlint-disable-next-line", "<!-- secretlint-disable-line -->"]) {
      const content = `${directive}\n${aws}\n${basic} // secretlint-disable-line\n`;
      const result = await redactSecrets("src/config.py", content);
      expect(result.content, directive).toBe(`${directive}\n${REDACTED_LINE}\n${REDACTED_LINE}\n`);
    }
  });

  it("redacts an AWS secret key's value also when it sits on the line after its name", async () => {
    const secret = j("wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYzzzzzzzzzz");
    const padded = `  "AWS_SECRET_ACCESS_KEY"${" ".repeat(20)} =>`;
    const content = `CONFIG = {\n${padded}\n    "${secret}",\n}\n`;
    const result = await redactSecrets("config.rb", content);
    expect(result.content).not.toContain(secret);
    expect(result.content).toBe(`CONFIG = {\n  ${REDACTED_LINE}\n    ${REDACTED_LINE}\n}\n`);
  });

  it("redacts an npm auth token and a SendGrid key wherever they appear", async () => {
    const npmrc = `const npmrc = "//registry.npmjs.org/:${j("_auth", "Token")}=${alnum(36)}";`;
    const sendgrid = `const k = "${j("SG.", alnum(22), ".", alnum(20, 5), "-", alnum(10), "-", alnum(11))}";`;
    const reference = `//registry.npmjs.org/:${j("_auth", "Token")}=\${NPM_TOKEN}`;
    const result = await redactSecrets("src/publish.js", `${npmrc}\n${sendgrid}\n${reference}\n`);
    expect(result.content).toBe(`${REDACTED_LINE}\n${REDACTED_LINE}\n${reference}\n`);
  });

  it("still applies the extra patterns to files without preset markers", async () => {
    const content = `const key = "${j("AIza", alnum(35))}";\nconst live = "${j("sk_live_", alnum(24))}";\n`;
    const result = await redactSecrets("src/keys.ts", content);
    expect(result.findings.sort()).toEqual(["google-api-key", "stripe-key"]);
    expect(result.content).toBe(`${REDACTED_LINE}\n${REDACTED_LINE}\n`);
  });
});
