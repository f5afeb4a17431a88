import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signToken } from '@pasarela/shared';
import type { TokenKeySet } from '@pasarela/shared';
import type { Inspection } from '@pasarela/broker';
import type { IssuedPair } from './ca.js';
import { freePort } from './ports.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
const WRANGLER = join(REPO_ROOT, 'broker/node_modules/.bin/wrangler');

/** wrangler bundles the broker before it listens. */
export const ROOM_START_TIMEOUT_MS = 90_000;

export interface RoomServerOptions {
  /** The name the room is reached by, and its certificate for that name. */
  readonly hostName: string;
  readonly tls: IssuedPair;
  /** The suite's authority, to check the room's certificate from Node. */
  readonly caPem: string;
  readonly keys: TokenKeySet;
  /** Overrides of the broker's defaults (its BROKER_CONFIG). */
  readonly brokerConfig: Record<string, unknown>;
}

/**
 * The real room: `wrangler dev` with the top-level wrangler.toml (the
 * broker's Worker and Durable Objects), serving https and wss on a loopback
 * port with the suite's certificate for the room's name
 * (`--local-protocol https --https-key-path --https-cert-path`). Its storage
 * lives in a temporary folder removed at the end.
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

  /**
   * Starts wrangler and waits for /health. A port the kernel handed out can
   * be taken by another process before wrangler binds it; a process that
   * exits before answering is started once more on fresh ports.
   */
  async start(): Promise<number> {
    const started = Date.now();
    this.#dir = await mkdtemp(join(tmpdir(), 'pasarela-room-'));
    const file = (name: string) => join(this.#dir, name);
    await writeFile(file('key.pem'), this.options.tls.keyPem);
    await writeFile(file('cert.pem'), this.options.tls.certPem);
    await writeFile(
      file('vars.env'),
      `TOKEN_KEYS='${JSON.stringify(this.options.keys.keys)}'\n` +
        `BROKER_CONFIG='${JSON.stringify(this.options.brokerConfig)}'\n`,
    );
    for (let attempt = 1; ; attempt += 1) {
      const child = await this.#spawn(file);
      for (;;) {
        if ((await this.#health()) === 200) return Date.now() - started;
        if (child.exitCode !== null) break;
        if (Date.now() - started > ROOM_START_TIMEOUT_MS) {
          await this.stop();
          throw new Error(
            `wrangler dev did not answer within ${ROOM_START_TIMEOUT_MS} ms:\n` +
              this.output.slice(-2_000),
          );
        }
        await new Promise((done) => setTimeout(done, 100));
      }
      if (attempt === 2) {
        await this.stop();
        throw new Error(
          `wrangler dev exited twice before answering:\n${this.output.slice(-2_000)}`,
        );
      }
      console.log(`[room] wrangler dev exited before answering; starting it again on new ports`);
    }
  }

  async #spawn(file: (name: string) => string): Promise<ChildProcess> {
    this.port = await freePort();
    const inspectorPort = await freePort();
    const child = spawn(
      WRANGLER,
      [
        'dev',
        '--config',
        'wrangler.toml',
        '--ip',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--inspector-port',
        String(inspectorPort),
        '--local-protocol',
        'https',
        '--https-key-path',
        file('key.pem'),
        '--https-cert-path',
        file('cert.pem'),
        '--persist-to',
        file('state'),
        '--env-file',
        file('vars.env'),
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
    this.#child = child;
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return child;
  }

  /** The room's own account of a tenant (`GET /admin/rooms/<tenant>`, admin token). */
  async inspect(tenant: string): Promise<Inspection> {
    const token = await signToken({ tenant, role: 'admin', ttlSeconds: 60 }, this.options.keys);
    const { status, body } = await this.#get(`/admin/rooms/${tenant}`, {
      authorization: `Bearer ${token}`,
    });
    if (status !== 200) throw new Error(`inspection answered ${status}: ${body}`);
    return JSON.parse(body) as Inspection;
  }

  async #health(): Promise<number> {
    return (await this.#get('/health').catch(() => ({ status: 0 }))).status;
  }

  /** A GET over https, the certificate checked against the suite's authority by name. */
  #get(path: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; body: string }>((done, fail) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          servername: this.options.hostName,
          headers: { host: this.options.hostName, ...headers },
          ca: this.options.caPem,
        },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => done({ status: response.statusCode ?? 0, body }));
        },
      );
      call.on('error', fail);
      call.end();
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child?.pid !== undefined && child.exitCode === null) {
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
