import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TlsMaterial {
  /** The certificate authority, PEM: what a Node client passes as `ca`, what NSS imports. */
  readonly caPem: string;
  /** The server certificate (every served host name), PEM. */
  readonly certPem: string;
  readonly keyPem: string;
  /** The DNS names the server certificate covers. */
  readonly names: readonly string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

function serial(): string {
  // A positive 16-byte serial: clear the top bit so DER keeps it unsigned.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  // Start an hour back so a clock a little behind still accepts it.
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
}

/**
 * Makes a fresh certificate authority and one server certificate for every
 * given name. Chromium needs a subjectAltName and serverAuth on the leaf and
 * a CA:true basic constraint with keyCertSign on the root; Node's OpenSSL
 * checks the same. RSA 2048 because node-forge signs only RSA; key
 * generation runs in Node's native crypto.
 */
export function createTlsMaterial(names: readonly string[], validityDays: number): TlsMaterial {
  const caKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const caName = [
    { name: 'commonName', value: 'Pasarela WhatsApp stand-in test CA' },
    { name: 'organizationName', value: 'Pasarela stand-in (not WhatsApp)' },
  ];
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  validity(ca, validityDays);
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const leafKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = serial();
  validity(leaf, validityDays);
  leaf.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  leaf.setIssuer(caName);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(leaf),
    keyPem: forge.pki.privateKeyToPem(leafKeys.privateKey),
    names: [...names],
  };
}

/**
 * The names the server certificate must cover: each served host explicitly
 * (a wildcard covers one label only, so `media.f….fna.whatsapp.net` needs its
 * own entry) plus wildcards for the two WhatsApp domains.
 */
export function certificateNames(hosts: readonly string[]): string[] {
  const names = new Set<string>();
  for (const host of hosts) names.add(host.toLowerCase());
  names.add('*.whatsapp.net');
  names.add('*.whatsapp.com');
  names.add('localhost');
  return [...names];
}
