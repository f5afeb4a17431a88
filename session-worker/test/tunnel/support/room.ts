import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TokenKeySet } from '@pasarela/shared';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
const WRANGLER = join(REPO_ROOT, 'broker/node_modules/.bin/wrangler');

/** wrangler bundles the Worker before it listens; printed each start. */
export const ROOM_START_TIMEOUT_MS = 90_000;

/**
 * The room settings the tunnel tests run with: pings every 500 ms and a
 * peer gone after three unanswered ones, so a peer's loss shows within
 * about two seconds. Every wait in the tests is derived from these.
 */
export const TEST_ROOM_CONFIG = {
  pingIntervalMs: 500,
  goneAfterMissedPings: 3,
  degradedRttMs: 1_500,
  handshakeTimeoutMs: 3_000,
  statsFlushMs: 400,
  heartbeatPersistMs: 2_000,
  indexUpdateMs: 1_000,
  logLevel: 'warn',
} as const;

/**
 * A peer is judged gone within its missed pings, one interval before the first and one of slack.
 */
export function peerGoneBoundMs(config: { pingIntervalMs: number; goneAfterMissedPings: number }) {
  return config.pingIntervalMs * (config.goneAfterMissedPings + 2);
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export function testKeys(): { json: string; keys: TokenKeySet } {
  const secret = [...crypto.getRandomValues(new Uint8Array(32))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');
  return {
    json: JSON.stringify({ test: secret }),
    keys: { signingKeyId: 'test', keys: { test: secret } },
  };
}

export interface RoomServerOptions {
  readonly keysJson: string;
  readonly config?: Record<string, unknown>;
  /** The address wrangler listens on (a namespace test needs one its veth reaches). */
  readonly ip?: string;
}

/**
 * The real room: the broker's Worker under `wrangler dev` on a free port
 * of its own, with its storage in a temporary folder removed at the end.
 */
export class RoomServer {
  readonly options: RoomServerOptions;
  port = 0;
  output = '';
  #child: ChildProcess | null = null;
  #dir = '';

  constructor(options: RoomServerOptions) {
    this.options = options;
  }

  get ip(): string {
    return this.options.ip ?? '127.0.0.1';
  }

  /** `host:port`, as partysocket and the peer take it. */
  get host(): string {
    return `${this.ip}:${this.port}`;
  }

  async start(): Promise<number> {
    const started = Date.now();
    this.#dir = await mkdtemp(join(tmpdir(), 'pasarela-tunnel-room-'));
    this.port = await freePort(this.ip);
    const inspector = await freePort();
    const envFile = join(this.#dir, 'vars.env');
    const config = JSON.stringify({ ...TEST_ROOM_CONFIG, ...this.options.config });
    await writeFile(envFile, `TOKEN_KEYS='${this.options.keysJson}'\nBROKER_CONFIG='${config}'\n`);
    const child = spawn(
      WRANGLER,
      [
        'dev',
        '--config',
        'wrangler.toml',
        '--ip',
        this.ip,
        '--port',
        String(this.port),
        '--inspector-port',
        String(inspector),
        '--persist-to',
        join(this.#dir, 'state'),
        '--env-file',
        envFile,
        '--show-interactive-dev-session=false',
        '--log-level',
        'warn',
      ],
      {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
      },
    );
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#child = child;
    const deadline = started + ROOM_START_TIMEOUT_MS;
    for (;;) {
      try {
        const response = await fetch(`http://${this.host}/health`);
        await response.arrayBuffer();
        if (response.ok) return Date.now() - started;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        await this.stop();
        throw new Error(`wrangler dev did not answer:\n${this.output.slice(-2_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the process group and removes its storage. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child && child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
