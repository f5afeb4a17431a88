import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { GiveUp, pollUntil } from '../http.js';
import type { DevOptions } from '../options.js';
import { DEV_DEFAULTS, REPO_ROOT } from '../options.js';
import type { ProcessSet, StackChild } from '../processes.js';

const BIN = {
  wrangler: join(REPO_ROOT, 'broker/node_modules/.bin/wrangler'),
  partykit: join(REPO_ROOT, 'node_modules/.bin/partykit'),
};

/** A port the kernel hands out, for wrangler's inspector (its default 9229 may be taken). */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function privateFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

/**
 * The broker's room on this machine: `wrangler dev` with the top-level
 * wrangler.toml (Durable Objects), or `partykit dev` with partykit.json.
 * Its state persists in the data folder; TOKEN_KEYS reaches it through a
 * file readable by its owner only (wrangler's env file, or a PartyKit
 * configuration of the stack's own), never on a command line.
 */
export async function startRoom(
  processes: ProcessSet,
  options: DevOptions,
  tokenKeysJson: string,
): Promise<{ child: StackChild; url: string; startMs: number }> {
  const started = Date.now();
  const dir = join(options.dataDir, `room-${options.runtime}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const vars = { TOKEN_KEYS: tokenKeysJson, BROKER_CONFIG: '{}' };
  let args: string[];
  if (options.runtime === 'wrangler') {
    const envFile = join(dir, 'vars.env');
    await privateFile(
      envFile,
      Object.entries(vars)
        .map(([name, value]) => `${name}='${value}'\n`)
        .join(''),
    );
    args = [
      'dev',
      '--config',
      join(REPO_ROOT, 'wrangler.toml'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.roomPort),
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      join(dir, 'state'),
      '--env-file',
      envFile,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ];
  } else {
    // partykit.json with absolute entry points and the variables, so no
    // secret sits on the command line and the repository's file is untouched.
    const config = {
      name: 'pasarela-broker',
      main: join(REPO_ROOT, 'broker/src/partykit/main.ts'),
      parties: {
        tunnel: join(REPO_ROOT, 'broker/src/partykit/tunnel.ts'),
        roomindex: join(REPO_ROOT, 'broker/src/partykit/room-index.ts'),
      },
      compatibilityDate: '2024-07-18',
      vars,
    };
    const configFile = join(dir, 'partykit.json');
    await privateFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
    args = [
      'dev',
      '--config',
      configFile,
      '--port',
      String(options.roomPort),
      '--persist',
      join(dir, 'state'),
      '--disable-request-cf-fetch',
      '--no-hotkeys',
    ];
  }
  const child = processes.start({
    name: 'room',
    command: BIN[options.runtime],
    args,
    cwd: REPO_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
    logFile: join(options.dataDir, 'logs', 'room.log'),
  });
  const url = `http://127.0.0.1:${options.roomPort}`;
  await pollUntil(
    `the room (${options.runtime} dev) to answer ${url}/health`,
    async () => {
      if (!child.running) throw new GiveUp(`${options.runtime} dev exited:\n${child.tail()}`);
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { status?: string };
      return response.ok && body.status === 'ok' ? true : undefined;
    },
    DEV_DEFAULTS.roomStartMs,
  );
  return { child, url, startMs: Date.now() - started };
}
