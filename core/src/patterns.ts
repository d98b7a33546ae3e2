/**
 * Patterns more than one part of Doctown checks, written once (pure: the builder and the viewer
 * bundle this module too). Each is anchored; `.source` gives the text for an HTML `pattern`.
 */

/** A full Git commit hash, lower-case hex: SHA-1 (40) or SHA-256 object format (64). */
export const COMMIT_PATTERN = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A lower-case hex SHA-256. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** A GitHub login (user or organisation, so also a repository owner): 1–39 letters, digits or single inner hyphens. */
export const GITHUB_LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
export const GITHUB_LOGIN_RULE = "1–39 letters, digits or single hyphens, not at either end";

/** A GitHub repository name. */
export const GITHUB_REPO_NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
