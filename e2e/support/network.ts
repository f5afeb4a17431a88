import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every site's /30 lives under this prefix, one third octet each. */
const PREFIX = '10.215';

async function nft(ruleset: string): Promise<void> {
  const child = run('nft', ['-f', '-']);
  child.child.stdin?.end(ruleset);
  await child;
}

/**
 * Fails, naming why, unless this process may make network namespaces: the
 * suite proves source addresses and has no fallback without them.
 */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the end-to-end suite needs root: it gives the cloud host and each restaurant a ' +
        'network namespace of its own (ip netns, veth, nftables); it is not skipped',
    );
  }
}

/**
 * One place on the internet as WhatsApp would see it: the cloud host or a
 * restaurant. A network namespace of its own, joined to this host by a veth
 * pair on a /30 of its own, so whatever runs inside connects from its own
 * address. The suite's servers listen on 127.0.0.1 here; a DNAT rule on the
 * host's end of the pair sends the site's connections to the host's address
 * there, keeping their source (loopback as a DNAT target needs
 * `route_localnet` on that interface). Names resolve inside only through
 * the hosts file given here: the resolver points at the namespace's own
 * loopback, where nothing answers, so no real resolver is ever asked.
 * Needs root: without it `create` fails, naming why.
 */
export class Site {
  readonly name: string;
  /** What the site dials to reach the suite's servers: the host's end of its pair. */
  readonly hostAddress: string;
  /** Where the site's connections come from. */
  readonly address: string;
  readonly #hostLink: string;
  readonly #siteLink: string;
  readonly #table: string;
  readonly #cutTable: string;
  #created = false;

  /** `index` picks the /30; each site of one suite run needs its own. */
  constructor(
    readonly label: string,
    index: number,
  ) {
    const id = `${process.pid % 10_000}${index}`;
    const octet = (((process.pid % 50) * 5 + index) % 250) + 1;
    this.name = `pz-e2e-${label}-${id}`;
    this.#hostLink = `pzeh${id}`.slice(0, 15);
    this.#siteLink = `pzes${id}`.slice(0, 15);
    this.#table = `pz_e2e_${label.replace(/-/g, '_')}_${id}`;
    this.#cutTable = `pz_e2e_cut_${id}`;
    this.hostAddress = `${PREFIX}.${octet}.1`;
    this.address = `${PREFIX}.${octet}.2`;
  }

  /** The command prefix that runs a program inside the site. */
  get wrapper(): readonly string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  async create(hosts: Readonly<Record<string, string>> = {}): Promise<void> {
    requireRoot();
    const ip = (...args: string[]) => run('ip', args);
    const inside = (...args: string[]) => run('ip', ['netns', 'exec', this.name, 'ip', ...args]);
    await ip('netns', 'add', this.name).catch((error: Error) => {
      throw new Error(
        'the end-to-end suite could not create a network namespace (it needs ' +
          `CAP_SYS_ADMIN and CAP_NET_ADMIN; it is not skipped): ${error.message}`,
      );
    });
    this.#created = true;
    await ip('link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#siteLink);
    await ip('link', 'set', this.#siteLink, 'netns', this.name);
    await ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.#hostLink);
    await ip('link', 'set', this.#hostLink, 'up');
    await inside('addr', 'add', `${this.address}/30`, 'dev', this.#siteLink);
    await inside('link', 'set', this.#siteLink, 'up');
    await inside('link', 'set', 'lo', 'up');
    await writeFile(`/proc/sys/net/ipv4/conf/${this.#hostLink}/route_localnet`, '1');
    await nft(
      `table ip ${this.#table} {\n` +
        `  chain prerouting {\n` +
        `    type nat hook prerouting priority dstnat; policy accept;\n` +
        `    iifname "${this.#hostLink}" ip daddr ${this.hostAddress} dnat to 127.0.0.1\n` +
        `  }\n` +
        `}\n`,
    );
    // `ip netns exec` mounts /etc/netns/<name>/* over /etc/*.
    const etc = `/etc/netns/${this.name}`;
    await mkdir(etc, { recursive: true });
    await writeFile(`${etc}/resolv.conf`, 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n');
    const lines = ['127.0.0.1 localhost', ...Object.entries(hosts).map(([n, a]) => `${a} ${n}`)];
    await writeFile(`${etc}/hosts`, `${lines.join('\n')}\n`);
  }

  /**
   * The site's line goes silent: every packet in or out of it is dropped,
   * with no reset or close, as when a restaurant's connection dies.
   */
  async cut(): Promise<void> {
    const table = this.#cutTable;
    await run('ip', [
      'netns',
      'exec',
      this.name,
      'nft',
      [
        `add table inet ${table}`,
        `add chain inet ${table} in { type filter hook input priority 0; policy drop; }`,
        `add chain inet ${table} out { type filter hook output priority 0; policy drop; }`,
        `add rule inet ${table} in iifname "lo" accept`,
        `add rule inet ${table} out oifname "lo" accept`,
      ].join('; '),
    ]);
  }

  async restore(): Promise<void> {
    await run('ip', ['netns', 'exec', this.name, 'nft', 'delete', 'table', 'inet', this.#cutTable]);
  }

  async remove(): Promise<void> {
    if (!this.#created) return;
    await run('nft', ['delete', 'table', 'ip', this.#table]).catch(() => undefined);
    await run('ip', ['link', 'del', this.#hostLink]).catch(() => undefined);
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
    await rm(`/etc/netns/${this.name}`, { recursive: true, force: true });
  }
}
