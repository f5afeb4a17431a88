import { createServer, type Server } from 'node:net';
import { startStandin, type Standin } from '@pasarela/standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgress, EgressAudit } from '../../src/egress/index.js';
import { WebVersionSource, parseSessionConfig, type WebVersion } from '../../src/session/index.js';
import { startHarness } from './support/harness.js';

/** A revision the stand-in announces that Baileys does not bundle (it ships 1043857760). */
const ANNOUNCED = 1_099_000_001;

let standin: Standin;

beforeAll(async () => {
  standin = await startStandin({ clientRevision: ANNOUNCED });
});

afterAll(async () => {
  await standin.close();
});

async function swJsReads(): Promise<{ host: string; path: string }[]> {
  const { requests } = await standin.control.records();
  return requests.filter((r) => r.path === '/sw.js').map((r) => ({ host: r.host, path: r.path }));
}

describe('the WhatsApp Web version of new sockets', () => {
  it('is read from sw.js through the starting tenant’s egress, once per time to live', async () => {
    const before = (await swJsReads()).length;
    const harness = await startHarness(standin, {
      settings: { versionCacheTtlMs: 3_600_000 },
    });
    try {
      await harness.manager.start('version-uno');
      await harness.manager.start('version-dos');
      await harness.reach('version-uno', 'qr', harness.config.connectTimeoutMs);
      await harness.reach('version-dos', 'qr', harness.config.connectTimeoutMs);
      for (const tenant of ['version-uno', 'version-dos']) {
        expect(harness.manager.status(tenant)?.webVersion).toEqual({
          version: [2, 3000, ANNOUNCED],
          source: 'sw.js',
        });
      }
      expect((await swJsReads()).slice(before)).toEqual([
        { host: 'web.whatsapp.com', path: '/sw.js' },
      ]);
      const viaEgress = harness.logs.lines.filter(
        (l) => l['component'] === 'egress' && l['target'] === 'https://web.whatsapp.com/sw.js',
      );
      expect(viaEgress.length).toBeGreaterThan(0);
      expect(new Set(viaEgress.map((l) => `${String(l['tenant'])} ${String(l['route'])}`))).toEqual(
        new Set(['version-uno direct']),
      );
    } finally {
      await harness.close();
    }
  });

  it('is read again on a start after the time to live has passed', async () => {
    const before = (await swJsReads()).length;
    const harness = await startHarness(standin, {
      settings: { versionCacheTtlMs: 1, versionRetryMs: 1 },
    });
    try {
      await harness.manager.start('version-tres');
      await harness.reach('version-tres', 'qr', harness.config.connectTimeoutMs);
      await harness.manager.start('version-cuatro');
      await harness.reach('version-cuatro', 'qr', harness.config.connectTimeoutMs);
      expect((await swJsReads()).length - before).toBe(2);
    } finally {
      await harness.close();
    }
  });
});

describe('a version read that fails', () => {
  let server: Server;
  let attempts = 0;

  beforeAll(async () => {
    // Accepts each connection and cuts it: the TLS handshake never completes.
    server = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it(
    'falls back to the bundled version with ' + 'a warning, and waits before trying again',
    async () => {
      const { port } = server.address() as { port: number };
      const egress = createEgress({
        tenant: 'version-roto',
        policy: 'direct',
        hostMap: { 'web.whatsapp.com': `127.0.0.1:${port}` },
        production: false,
        audit: new EgressAudit(),
      });
      const warnings: WebVersion[] = [];
      let now = 1_000_000;
      const source = new WebVersionSource({
        config: parseSessionConfig({ versionRetryMs: 60_000 }),
        onFallback: (version) => warnings.push(version),
        now: () => now,
      });
      try {
        const first = await source.get(egress.dispatcher);
        expect(first).toMatchObject({ version: [2, 3000, 1043857760], source: 'bundled' });
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.error).toMatch(/fetch failed/);
        expect(attempts).toBe(1);

        now += 59_999;
        expect((await source.get(egress.dispatcher)).source).toBe('bundled');
        expect(attempts).toBe(1);

        now += 1;
        await source.get(egress.dispatcher);
        expect(attempts).toBe(2);
        expect(warnings).toHaveLength(2);
      } finally {
        await egress.close();
      }
    },
  );
});
