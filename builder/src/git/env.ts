/**
 * The environment and `-c` settings every git process of the builder runs with: never prompts,
 * ignores the user's and the system's git configuration (so no credential helper, hook path or
 * alias of the host leaks in), and allows only the protocols asked for.
 */
const PASSTHROUGH = [
  "PATH",
  "SYSTEMROOT",
  "TMPDIR",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
];

export type GitAccess = { allowFile: boolean; token?: string };

export function gitEnv(base: Record<string, string | undefined>, access: GitAccess): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSTHROUGH) {
    // Without a PATH of its own the caller still means "the git on this machine".
    const value = base[key] ?? (key === "PATH" ? process.env.PATH : undefined);
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, {
    LANG: "C",
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  });
  // The token travels as a config value in the environment: not in the URL, not in argv (visible to
  // every local user through ps), and never logged.
  if (access.token) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basicAuth(access.token)}`;
  } else {
    env.GIT_CONFIG_COUNT = "0";
  }
  return env;
}

/** `-c` settings (without the `-c`), applied to every command. */
export function gitConfig(access: GitAccess): string[] {
  return [
    "protocol.allow=never",
    "protocol.https.allow=always",
    `protocol.file.allow=${access.allowFile ? "always" : "never"}`,
    "credential.helper=",
    "core.askPass=",
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "http.followRedirects=false",
  ];
}

export function basicAuth(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

/** Removes the token (and its header form) from text that may end up in an error or a log. */
export function scrubSecret(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join("***").split(basicAuth(token)).join("***");
}
