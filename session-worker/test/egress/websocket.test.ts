import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { egressFixture, recordsOf, TENANT } from '../support/egress-fixture.js';
import type { EgressFixture } from '../support/egress-fixture.js';
import { payload, sha256 } from '../support/payload.js';
import { settledValue, waitFor } from '../support/settle.js';

const CHAT = 'wss://web.whatsapp.com/ws/chat';
const ORIGIN = 'https://web.whatsapp.com';

let fixture: EgressFixture;

beforeEach(async () => {
  fixture = await egressFixture();
});

afterEach(async () => {
  await fixture.close();
});

/** Opens a socket the way Baileys 7.0.0-rc14 does (Socket/Client/websocket.js). */
function baileysStyleSocket(url = CHAT): WebSocket {
  const ws = new WebSocket(url, {
    origin: ORIGIN,
    handshakeTimeout: 20_000,
    timeout: 20_000,
    agent: fixture.egress.agent,
  });
  // Baileys re-emits this event, so `ws` never aborts a refused handshake itself.
  ws.on('unexpected-response', () => {});
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary }));
  });
}

describe('the agent face with the ws client', () => {
  it(
    'reaches wss://web.whatsapp.com/ws/chat through ' + 'the host map with Origin and path intact',
    async () => {
      const ws = baileysStyleSocket();
      await once(ws, 'open');

      expect(fixture.upstream.upgrades).toHaveLength(1);
      const upgrade = fixture.upstream.upgrades[0]!;
      expect(upgrade.path).toBe('/ws/chat');
      expect(upgrade.servername).toBe('web.whatsapp.com');
      expect(upgrade.headers.origin).toBe('https://web.whatsapp.com');
      expect(upgrade.headers.host).toBe('web.whatsapp.com');
      expect(upgrade.headers.upgrade).toBe('websocket');
      ws.close();
    },
  );

  it('keeps message boundaries and the binary bit in both directions', async () => {
    const ws = baileysStyleSocket();
    await once(ws, 'open');
    const large = payload(3 * 1024 * 1024, 'ws');
    const sent = [
      { data: Buffer.from([0x57, 0x41, 0x06, 0x03]), binary: true },
      { data: Buffer.from('hello, kitchen'), binary: false },
      { data: large, binary: true },
      { data: Buffer.alloc(0), binary: true },
    ];
    const received: Array<{ length: number; binary: boolean; sha256: string }> = [];
    for (const message of sent) {
      const reply = nextMessage(ws);
      ws.send(message.data, { binary: message.binary });
      const { data, binary } = await reply;
      received.push({ length: data.length, binary, sha256: sha256(data) });
    }

    expect(received).toEqual([
      {
        length: 4,
        binary: true,
        sha256: '45c48fb971b56bedc9d54ff6c93eaaa7dfff69e3fc9b4c6b608cbe3a4b0ff37e',
      },
      {
        length: 14,
        binary: false,
        sha256: '2374c0da887f75099d4fed323f6e9ba61752a1938f407e83e9851607c77ffde2',
      },
      {
        length: 3 * 1024 * 1024,
        binary: true,
        sha256: 'd54ff3e51d73c7f404a59a383475d4792bf0f89579f8d6c75abd45d4cf093458',
      },
      {
        length: 0,
        binary: true,
        sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    ]);
    ws.close();
  });

  it('hands the client the close code and reason the upstream sent', async () => {
    const ws = baileysStyleSocket();
    await once(ws, 'open');
    ws.send('close 4321 shift over');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];

    expect(code).toBe(4321);
    expect(reason.toString()).toBe('shift over');
  });

  it("hands the upstream the client's close code and reason", async () => {
    const ws = baileysStyleSocket();
    await once(ws, 'open');
    ws.close(4000, 'logging off');
    await once(ws, 'close');

    const upgrade = fixture.upstream.upgrades[0]!;
    const closed = await waitFor(() => upgrade.closed, 'the upstream to see the close');
    expect(closed).toEqual({ code: 4000, reason: 'logging off' });
  });

  it(
    'fails a refused upgrade at once with ' + 'upstream_refused, not after the handshake timeout',
    async () => {
      const started = Date.now();
      const ws = baileysStyleSocket('wss://web.whatsapp.com/refuse');
      const [error] = (await once(ws, 'error')) as [Error & { code?: string; context?: object }];
      const elapsed = Date.now() - started;
      console.log(`refused upgrade surfaced after ${elapsed} ms (handshake timeout 20000 ms)`);

      expect(error.code).toBe('upstream_refused');
      expect(error.context).toMatchObject({ status: 403, host: 'web.whatsapp.com' });
      expect(error.message).toBe(
        'upstream_refused: https://web.whatsapp.com/refuse answered the WebSocket upgrade with 403',
      );
      expect(ws.readyState).toBe(WebSocket.CLOSED);
    },
  );

  it(
    'fails an upgrade the upstream never answers at ' +
      'the upgrade deadline, before Baileys gives up',
    async () => {
      await fixture.close();
      fixture = await egressFixture({ deadlines: { upgradeTimeoutMs: 300 } });
      const started = Date.now();
      const ws = baileysStyleSocket('wss://web.whatsapp.com/hang');
      const [error] = (await once(ws, 'error')) as [Error & { code?: string }];
      const elapsed = Date.now() - started;
      console.log(`unanswered upgrade failed after ${elapsed} ms (upgrade deadline 300 ms)`);

      expect(error.code).toBe('upstream_timeout');
      expect(elapsed).toBeGreaterThanOrEqual(300);
      const upgrade = fixture.upstream.upgrades[0]!;
      await waitFor(() => upgrade.socketClosed || undefined, 'the upstream connection to close');
    },
  );

  it('tears the upstream down when the client gives up on the handshake first', async () => {
    const ws = new WebSocket('wss://web.whatsapp.com/hang', {
      agent: fixture.egress.agent,
      handshakeTimeout: 200,
    });
    const [error] = (await once(ws, 'error')) as [Error];

    expect(error.message).toBe('Opening handshake has timed out');
    const upgrade = fixture.upstream.upgrades[0]!;
    await waitFor(() => upgrade.socketClosed || undefined, 'the upstream connection to close');
    expect(fixture.logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('holds the upstream back while the client does not read, and loses nothing', async () => {
    const total = 64 * 1024 * 1024;
    const ws = baileysStyleSocket(`wss://web.whatsapp.com/flood/${total}`);
    await once(ws, 'open');
    ws.pause();
    const upgrade = fixture.upstream.upgrades[0]!;
    const stalledAt = await settledValue(() => upgrade.flooded);
    console.log(`flood held at ${(stalledAt / 2 ** 20).toFixed(1)} MiB of 64 MiB while paused`);

    expect(stalledAt).toBeLessThan(total / 2);

    let received = 0;
    ws.on('message', (data: Buffer) => {
      received += data.length;
    });
    ws.resume();
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1000);
    expect(received).toBe(total);
  });

  it('records the connection once, as the tenant’s direct websocket', async () => {
    const ws = baileysStyleSocket();
    await once(ws, 'open');
    ws.send('ping');
    await nextMessage(ws);
    ws.close();
    await once(ws, 'close');

    const records = recordsOf(fixture.audit);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      tenant: TENANT,
      source: 'agent',
      host: 'web.whatsapp.com',
      port: 443,
      leg: 'websocket',
      route: 'direct',
      reason: 'policy_direct',
      refused: null,
      whatsapp: true,
      leak: false,
    });
  });
});
