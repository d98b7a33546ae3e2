/**
 * A throwaway certificate authority and one server certificate (github.com, the simulated
 * distribution on 127.0.0.1, localhost), made with openssl: the stand-ins speak HTTPS where the
 * cloud does, and the processes that call them trust the CA (NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type SimCerts = { dir: string; caFile: string; ca: string; key: string; cert: string; remove(): void };

export function makeCerts(hosts: string[]): SimCerts {
  const dir = mkdtempSync(join(tmpdir(), "doctown-sim-ca-"));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Doctown stage simulation CA",
    "-keyout", file("ca.key"), "-out", file("ca.pem"), "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${hosts[0]}`, "-keyout", file("server.key"), "-out", file("server.csr"));
  const san = hosts.map((host) => (/^[\d.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(",");
  writeFileSync(file("ext.cnf"), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
    "-days", "2", "-extfile", file("ext.cnf"), "-out", file("server.pem"));
  return {
    dir,
    caFile: file("ca.pem"),
    ca: readFileSync(file("ca.pem"), "utf8"),
    key: readFileSync(file("server.key"), "utf8"),
    cert: readFileSync(file("server.pem"), "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
