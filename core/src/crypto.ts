/**
 * Small cryptographic helpers: GitHub tokens are encrypted at rest with AES-256-GCM; session
 * cookies and callback secrets are random tokens of which only the SHA-256 is stored.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ConfigError } from "./errors";

const CIPHER_VERSION = "v1";

/** Accepts the 32-byte key as 64 hex characters or base64/base64url. */
export function parseEncryptionKey(raw: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) throw new ConfigError("TOKEN_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64).");
  return key;
}

/** "v1.<iv>.<tag>.<ciphertext>" (base64url parts); a fresh 12-byte IV per call. */
export function encryptSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [CIPHER_VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

/** Throws if the value was tampered with or encrypted under another key. */
export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== CIPHER_VERSION || !iv || !tag || ciphertext === undefined) throw new Error("Unrecognised encrypted value.");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

export function sha256Hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

/** A random token, base64url (32 bytes → 43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Constant-time string comparison (hashing first makes the lengths equal). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** Whether a presented secret matches the stored SHA-256 hex of the real one, in constant time. */
export function matchesSha256(presented: string, storedHashHex: string): boolean {
  const presentedHash = createHash("sha256").update(presented).digest();
  const stored = Buffer.from(storedHashHex, "hex");
  return stored.length === presentedHash.length && timingSafeEqual(presentedHash, stored);
}
