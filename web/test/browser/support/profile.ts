import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The switches every Chromium of the suite starts with, and why. None turns
 * a web security check off: certificates are checked against the NSS
 * database of the profile's home, CORS, mixed content and Local Network
 * Access apply as in any browser.
 */
export const BASE_SWITCHES = [
  // Chromium refuses to start as root (the CI container's user) with its
  // process sandbox on; this does not touch TLS, CORS or any web check.
  '--no-sandbox',
  '--disable-gpu',
  // QUIC would try UDP first to hosts that only speak TCP here.
  '--disable-quic',
  // The network is closed: these would flood it with refused connections.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
] as const;

/** One name mapped to a local address (or to a failed lookup, `~NOTFOUND`). */
export interface HostRule {
  readonly host: string;
  readonly to: string;
}

export interface BrowserProfileOptions {
  /** PEM certificate authorities the profile's NSS database trusts for servers. */
  readonly authorities: readonly { readonly name: string; readonly pem: string }[];
  /** In order: Chromium takes the first rule that matches a name. */
  readonly hostRules: readonly HostRule[];
}

export interface BrowserProfile {
  /** A temporary home holding `.pki/nssdb`; Chromium reads its trust store there. */
  readonly home: string;
  readonly userDataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** BASE_SWITCHES plus the host resolver rules. */
  readonly switches: readonly string[];
  dispose(): Promise<void>;
}

/**
 * A throw-away Chromium profile: an NSS database (`certutil`, Debian's
 * libnss3-tools) in a temporary HOME that trusts the suite's authorities,
 * and `--host-resolver-rules` so Chromium itself resolves WhatsApp's real
 * names, the page host and the room host to local servers. The peer then
 * runs exactly as in production: real URLs, real certificate checks.
 */
export async function createBrowserProfile(
  options: BrowserProfileOptions,
): Promise<BrowserProfile> {
  const home = await mkdtemp(join(tmpdir(), 'pasarela-chromium-'));
  const nssdb = join(home, '.pki', 'nssdb');
  await mkdir(nssdb, { recursive: true });
  const database = `sql:${nssdb}`;
  await run('certutil', ['-d', database, '-N', '--empty-password']);
  for (const authority of options.authorities) {
    const file = join(home, `${authority.name}.pem`);
    await writeFile(file, authority.pem);
    // "C,,": trusted to issue server certificates, nothing else.
    await run('certutil', ['-d', database, '-A', '-t', 'C,,', '-n', authority.name, '-i', file]);
  }
  const userDataDir = join(home, 'user-data');
  await mkdir(userDataDir);
  const rules = options.hostRules.map((rule) => `MAP ${rule.host} ${rule.to}`).join(', ');
  return {
    home,
    userDataDir,
    env: { ...process.env, HOME: home },
    switches: [...BASE_SWITCHES, `--host-resolver-rules=${rules}`],
    dispose: () => rm(home, { recursive: true, force: true }),
  };
}
