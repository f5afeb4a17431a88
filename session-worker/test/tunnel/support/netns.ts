import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/**
 * A network namespace of the test's own, joined to this host by a veth
 * pair on a /30 of its own, with a resolver that points at the
 * namespace's loopback, where nothing listens: a name looked up inside it
 * fails at once and no real resolver is ever asked. Needs root; without
 * it `create` fails loudly.
 */
export class TestNamespace {
  readonly name: string;
  /** The host's end of the veth pair, which the namespace can reach. */
  readonly hostAddress: string;
  readonly nsAddress: string;
  readonly #hostLink: string;
  readonly #nsLink: string;

  constructor(tag: string) {
    const id = `${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
    const subnet = 1 + Math.floor(Math.random() * 250);
    this.name = `pz-${tag}-${id}`;
    this.#hostLink = `pzh${id}`.slice(0, 15);
    this.#nsLink = `pzn${id}`.slice(0, 15);
    this.hostAddress = `10.213.${subnet}.1`;
    this.nsAddress = `10.213.${subnet}.2`;
  }

  async create(): Promise<void> {
    if (process.getuid?.() !== 0) {
      throw new Error('this test needs root to create a network namespace; it is not skipped');
    }
    await ip('netns', 'add', this.name);
    await ip('link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#nsLink);
    await ip('link', 'set', this.#nsLink, 'netns', this.name);
    await ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.#hostLink);
    await ip('link', 'set', this.#hostLink, 'up');
    const inside = ['netns', 'exec', this.name, 'ip'];
    await ip(...inside, 'addr', 'add', `${this.nsAddress}/30`, 'dev', this.#nsLink);
    await ip(...inside, 'link', 'set', this.#nsLink, 'up');
    await ip(...inside, 'link', 'set', 'lo', 'up');
    // `ip netns exec` mounts /etc/netns/<name>/resolv.conf over /etc/resolv.conf.
    await mkdir(`/etc/netns/${this.name}`, { recursive: true });
    await writeFile(
      `/etc/netns/${this.name}/resolv.conf`,
      'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n',
    );
  }

  /** The command line that runs `argv` inside the namespace. */
  command(argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, ...argv];
  }

  async remove(): Promise<void> {
    await ip('link', 'del', this.#hostLink).catch(() => undefined);
    await ip('netns', 'del', this.name).catch(() => undefined);
    await rm(`/etc/netns/${this.name}`, { recursive: true, force: true });
  }
}
