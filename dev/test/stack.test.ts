import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESSION_DEFAULTS } from '@pasarela/session-worker/sessions';
import { TUNNEL_DEFAULTS } from '@pasarela/session-worker/tunnel';
import { PEER_DEFAULTS } from '@pasarela/web/peer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlainChromium } from '../../web/test/browser/support/cdp.js';
import { createBrowserProfile } from '../../web/test/browser/support/profile.js';
import { callJson } from '../src/http.js';
import { DEV_DEFAULTS } from '../src/options.js';
import type { DevSecrets } from '../src/secrets.js';
import type { StackState } from '../src/state.js';
import { DevProcess, freePort, runCommand } from './support/dev-process.js';
import { descendants, stillRunning } from './support/tree.js';

/** Every part may take its whole start-up bound, one after the other. */
const UP_MS =
  DEV_DEFAULTS.roomStartMs +
  DEV_DEFAULTS.workerStartMs +
  DEV_DEFAULTS.standinStartMs +
  DEV_DEFAULTS.pagesStartMs;
/** Each of the four long-running parts may use its whole grace before it is killed. */
const STOP_MS = 4 * DEV_DEFAULTS.stopGraceMs + 5_000;
/** dev:scan waits up to 40 s for a QR and 60 s for the login; tsx compiles it first. */
const SCAN_MS = 40_000 + 60_000 + 15_000;
/**
 * From consent to WhatsApp on the tab: the page joins (a connect attempt, the
 * handshake, the leg probes), the peer stays ready for the local stack's
 * hysteresis, the WebSocket is quiet, and Baileys logs in again.
 */
const PROTECTED_MS =
  PEER_DEFAULTS.reconnect.connectionTimeoutMs +
  PEER_DEFAULTS.handshakeTimeoutMs +
  PEER_DEFAULTS.probeTimeoutMs +
  DEV_DEFAULTS.tunnelSettings.routes.healthyForMs +
  TUNNEL_DEFAULTS.routes.quietMs +
  TUNNEL_DEFAULTS.routes.recheckMs +
  SESSION_DEFAULTS.connectTimeoutMs;

let dataDir: string;
const started: DevProcess[] = [];

async function ports() {
  return { room: await freePort(), worker: await freePort(), pages: await freePort() };
}

function startDev(p: { room: number; worker: number; pages: number }, extra: string[] = []) {
  const dev = new DevProcess([
    '--data',
    dataDir,
    '--room-port',
    String(p.room),
    '--worker-port',
    String(p.worker),
    '--pages-port',
    String(p.pages),
    ...extra,
  ]);
  started.push(dev);
  return dev;
}

async function readJson<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(join(dataDir, name), 'utf8')) as T;
}

/** Ctrl-C, then: exit 0, every process the stack started gone, its ports free. */
async function ctrlCLeavesNothing(dev: DevProcess, p: Record<string, number>) {
  const tree = await descendants(dev.pid);
  const stopAt = Date.now();
  dev.ctrlC();
  const exit = await Promise.race([
    dev.exited,
    new Promise<never>((_, fail) =>
      setTimeout(() => fail(new Error(`not stopped in ${STOP_MS} ms`)), STOP_MS),
    ),
  ]);
  console.log(
    `[dev] Ctrl-C to exit: ${Date.now() - stopAt} ms (bound ${STOP_MS} ms); ` +
      `${tree.size} processes had been started`,
  );
  expect(exit).toEqual({ code: 0, signal: null });
  expect(await dev.line(/^Stopped in \d+ ms/, 1_000)).toMatch(/Data kept in/);
  const left = await stillRunning(tree.keys());
  expect(left.map((pid) => `${pid} ${tree.get(pid)}`)).toEqual([]);
  for (const port of Object.values(p)) {
    const answer = await fetch(`http://127.0.0.1:${port}/`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(answer).toBe('refused');
  }
  await expect(stat(join(dataDir, 'stack.json'))).rejects.toThrow(/ENOENT/);
  return tree;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pasarela-dev-stack-'));
});

afterEach(async () => {
  for (const dev of started.splice(0)) await dev.stopAfterFailure(STOP_MS);
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run dev', () => {
  it(
    'brings up the stack, links the phone, the contact writes, ' +
      'a tab carries WhatsApp, and Ctrl-C leaves nothing behind',
    async () => {
      const p = await ports();
      const dev = startDev(p);
      const up = await dev.line(/^Pasarela local stack is up in/, UP_MS);
      await dev.line(/Ctrl-C stops everything/, 1_000);
      console.log(`[dev] ${up}`);
      const printed = dev.lines.join('\n');
      const pages = `http://localhost:${p.pages}`;
      expect(printed).toContain(`Connect page   ${pages}/whatsapp-connect`);
      expect(printed).toMatch(/Admin token {4}pt1\.[\w-]+\.[\w-]+/);
      expect(printed).toContain(`npm run dev:scan -- --data ${dataDir}`);
      expect(printed).toContain(`npm run dev:say -- --data ${dataDir} "hola"`);

      for (const path of ['/whatsapp-connect', '/dashboard', '/kds', '/admin/']) {
        const page = await fetch(`${pages}${path}`);
        expect([path, page.status, page.headers.get('content-type')]).toEqual([
          path,
          200,
          'text/html; charset=utf-8',
        ]);
        await page.arrayBuffer();
      }
      const secrets = await readJson<DevSecrets>('secrets.json');
      const state = await readJson<StackState>('stack.json');
      const token = /Admin token {4}(\S+)/.exec(printed)![1]!;
      const rooms = await fetch(`${state.roomUrl}/admin/rooms`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(rooms.status).toBe(200);
      await rooms.arrayBuffer();

      const scan = await runCommand('scan', ['--data', dataDir], SCAN_MS);
      console.log(`[dev] dev:scan printed:\n${scan.output.trim()}`);
      expect(scan.code).toBe(0);
      expect(scan.output).toMatch(
        /Connected in [\d.]+ s as \+\d+; WhatsApp's connection goes direct/,
      );

      const said = await runCommand('say', ['--data', dataDir, 'hola'], 30_000);
      console.log(`[dev] dev:say printed:\n${said.output.trim()}`);
      expect(said.code).toBe(0);
      expect(said.output).toMatch(/The worker received it \d+ ms later \(session connected\)/);

      // A person's own browser: no resolver rules, no authority; the page at
      // http://localhost, the room and the stand-in's plain endpoints on loopback.
      const profile = await createBrowserProfile({ authorities: [], hostRules: [] });
      const browser = await PlainChromium.launch(profile, []);
      try {
        const tab = await browser.openTab(`${pages}/whatsapp-connect?lang=en`);
        const read = () =>
          tab.evaluate<{ state?: string; consent?: boolean }>(`(() => {
          const s = document.querySelector('[data-testid=protection]');
          const consent = document.querySelector('[data-testid=consent]');
          return { state: s?.dataset.state, consent: consent?.open === true };
        })()`);
        await until(async () => ((await read()).consent ? true : undefined), 15_000, 'consent');
        const consentAt = Date.now();
        await tab.evaluate(
          `document.querySelector('[data-testid=consent] button.primary').click()`,
        );
        await until(
          async () => ((await read()).state === 'protected' ? true : undefined),
          PROTECTED_MS,
          'the connect page to read protected',
        );
        console.log(
          `[dev] consent to "Protected" on the connect page: ${Date.now() - consentAt} ms ` +
            `(bound ${PROTECTED_MS} ms)`,
        );
        const stats = await callJson<{
          route: Record<string, string>;
          peer: { userAgent: string };
        }>(state.workerUrl, `/api/tunnel/stats/${state.tenant}`, { key: secrets.adminKey });
        expect(stats.body.route).toEqual({
          websocket: 'tunnel',
          download: 'tunnel',
          upload: 'tunnel',
        });
        expect(stats.body.peer.userAgent).toContain('HeadlessChrome');
      } finally {
        await browser.close();
        await profile.dispose();
      }
      const tree = await ctrlCLeavesNothing(dev, p);
      expect([...tree.values()].some((command) => command.includes('workerd'))).toBe(true);
    },
  );

  it('starts again on the same data folder with the same secrets and tenant key', async () => {
    const before = await readJson<DevSecrets>('secrets.json');
    const p = await ports();
    const dev = startDev(p);
    await dev.line(/Ctrl-C stops everything/, UP_MS);
    expect(dev.lines.join('\n')).toContain('secrets reused');
    expect(await readJson<DevSecrets>('secrets.json')).toEqual(before);
    const state = await readJson<StackState>('stack.json');
    const session = await callJson<{ status: string }>(
      state.workerUrl,
      `/api/baileys/sessions/${state.tenant}`,
      { key: before.tenantKeys[state.tenant] },
    );
    expect(session.status).toBe(200);
    await ctrlCLeavesNothing(dev, p);
  });

  it('runs the room under partykit dev with --partykit', async () => {
    const p = await ports();
    const dev = startDev(p, ['--partykit']);
    await dev.line(/Ctrl-C stops everything/, UP_MS);
    expect(dev.lines.join('\n')).toContain('(room: partykit dev;');
    const health = await callJson<{ runtime: string }>(`http://127.0.0.1:${p.room}`, '/health');
    expect(health.body.runtime).toBe('partykit');
    await ctrlCLeavesNothing(dev, p);
  });
});

async function until<T>(
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 200));
  }
}
