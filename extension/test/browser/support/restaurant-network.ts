import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The restaurant's own network: a namespace joined to this host by a veth
 * pair, so Chromium inside it connects from an address of its own, as a
 * restaurant's browser does, while the cloud host's side (the session
 * worker in this process) connects from 127.0.0.1. Every server of the
 * suite listens on 127.0.0.1; a DNAT rule on the host's end of the pair
 * sends the namespace's connections to the host's address there, keeping
 * their source, so the stand-in records the restaurant's address. Loopback
 * as a DNAT target needs `route_localnet` on that one interface. Needs
 * root; without it `create` fails loudly.
 */
export class RestaurantNetwork {
  readonly name: string;
  /** What Chromium inside dials: the host's end of the pair. */
  readonly hostAddress: string;
  /** Where the restaurant's connections come from. */
  readonly restaurantAddress: string;
  readonly #hostLink: string;
  readonly #nsLink: string;
  readonly #table: string;

  constructor() {
    const id = `${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
    const subnet = 1 + Math.floor(Math.random() * 250);
    this.name = `pz-restaurant-${id}`;
    this.#hostLink = `pzrh${id}`.slice(0, 15);
    this.#nsLink = `pzrn${id}`.slice(0, 15);
    this.#table = `pz_restaurant_${id}`;
    this.hostAddress = `10.214.${subnet}.1`;
    this.restaurantAddress = `10.214.${subnet}.2`;
  }

  /** The command prefix that runs a program inside the namespace. */
  get wrapper(): readonly string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  async create(): Promise<void> {
    if (process.getuid?.() !== 0) {
      throw new Error('this suite needs root to give the browser a network of its own');
    }
    const ip = (...args: string[]) => run('ip', args);
    const inside = (...args: string[]) => run('ip', ['netns', 'exec', this.name, 'ip', ...args]);
    await ip('netns', 'add', this.name);
    await ip('link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#nsLink);
    await ip('link', 'set', this.#nsLink, 'netns', this.name);
    await ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.#hostLink);
    await ip('link', 'set', this.#hostLink, 'up');
    await inside('addr', 'add', `${this.restaurantAddress}/30`, 'dev', this.#nsLink);
    await inside('link', 'set', this.#nsLink, 'up');
    await inside('link', 'set', 'lo', 'up');
    await writeFile(`/proc/sys/net/ipv4/conf/${this.#hostLink}/route_localnet`, '1');
    const ruleset =
      `table ip ${this.#table} {\n` +
      `  chain prerouting {\n` +
      `    type nat hook prerouting priority dstnat; policy accept;\n` +
      `    iifname "${this.#hostLink}" ip daddr ${this.hostAddress} dnat to 127.0.0.1\n` +
      `  }\n` +
      `}\n`;
    const nft = run('nft', ['-f', '-']);
    nft.child.stdin?.end(ruleset);
    await nft;
  }

  async remove(): Promise<void> {
    await run('nft', ['delete', 'table', 'ip', this.#table]).catch(() => undefined);
    await run('ip', ['link', 'del', this.#hostLink]).catch(() => undefined);
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
  }
}
