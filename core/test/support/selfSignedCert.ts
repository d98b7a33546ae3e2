/**
 * A certificate for https://127.0.0.1 stand-ins, made once per test process with openssl, and how
 * to make this process's fetch trust it (undici's global dispatcher, which Node's fetch uses).
 * openssl's files are read into memory and removed at once; a stand-in that needs the certificate
 * as a file (a CA file for git or a child process) writes it into a directory it removes itself.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";

export type SelfSignedCert = { key: string; cert: string };

let made: SelfSignedCert | undefined;

export function selfSignedCert(): SelfSignedCert {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), "doctown-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      { stdio: "ignore" },
    );
    made = { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return made;
}

/** Makes fetch in this process trust `ca` (besides nothing else: stand-ins only); returns the undo. */
export function trustCertificate(ca: string): () => void {
  const previous = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: { ca } }));
  return () => setGlobalDispatcher(previous);
}
