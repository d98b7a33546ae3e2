import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { constantTimeEqual, decryptSecret, encryptSecret, matchesSha256, parseEncryptionKey, randomToken, sha256Hex } from "../src/crypto";

describe("crypto", () => {
  const key = randomBytes(32);

  it("round-trips a token through AES-256-GCM with a fresh IV each time", () => {
    const a = encryptSecret("gho_secret", key);
    const b = encryptSecret("gho_secret", key);
    expect(a).not.toBe(b);
    expect(a).not.toContain("gho_secret");
    expect(decryptSecret(a, key)).toBe("gho_secret");
  });

  it("refuses tampered values and other keys", () => {
    const sealed = encryptSecret("gho_secret", key);
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3], "base64url");
    flipped[0] ^= 1;
    expect(() => decryptSecret([...parts.slice(0, 3), flipped.toString("base64url")].join("."), key)).toThrow();
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow();
    expect(() => decryptSecret("garbage", key)).toThrow();
  });

  it("accepts a 32-byte key as hex or base64 and nothing else", () => {
    expect(parseEncryptionKey(key.toString("hex")).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("base64")).equals(key)).toBe(true);
    expect(() => parseEncryptionKey("short")).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it("compares secrets against stored hashes", () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(matchesSha256(token, sha256Hex(token))).toBe(true);
    expect(matchesSha256(`${token}x`, sha256Hex(token))).toBe(false);
    expect(matchesSha256(token, "not-hex")).toBe(false);
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });
});
