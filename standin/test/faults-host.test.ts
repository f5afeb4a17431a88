import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEgress } from '@pasarela/session-worker/egress';
import { startStandin, type Standin } from '../src/index.js';
import { authFolder, startClient, TEST_TIMINGS, type AuthFolder } from './support/client.js';

let standin: Standin;
const folders: AuthFolder[] = [];

beforeAll(async () => {
  standin = await startStandin();
});

afterEach(async () => {
  await standin.control.clearHostFaults('web.whatsapp.com');
  await standin.control.clearHostFaults('mmg.whatsapp.net');
});

afterAll(async () => {
  await standin.close();
  await Promise.all(folders.map((folder) => folder.remove()));
});

async function freshAuth(): Promise<AuthFolder> {
  const folder = await authFolder();
  folders.push(folder);
  return folder;
}

/** A WebSocket to web.whatsapp.com through the egress, as a page of `origin` would open it. */
function openFrom(origin: string): Promise<number> {
  const egress = createEgress({
    tenant: `standin-origin-${Date.now()}`,
    policy: 'direct',
    hostMap: standin.hostMap,
    ca: standin.caPem,
  });
  return new Promise<number>((resolve) => {
    const socket = new WebSocket('wss://web.whatsapp.com/ws/chat', { agent: egress.agent, origin });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', () => resolve(-1));
  }).finally(() => egress.close());
}

describe('refused WebSocket upgrades', () => {
  it('refuses every upgrade: Baileys never gets a handshake and closes', async () => {
    const { lastSeq } = await standin.control.records();
    await standin.control.setHostFaults('web.whatsapp.com', { refuseUpgrades: 'all' });
    const client = await startClient(standin, await freshAuth());
    const closed = await client.closed;
    console.log(
      `refused upgrade: Baileys closed with ${closed.statusCode} after ` +
        `${closed.at - client.startedAt} ms (connect timeout ${TEST_TIMINGS.connectTimeoutMs} ms)`,
    );
    expect(client.updates.some((update) => update.connection === 'open')).toBe(false);
    expect(client.qrs).toEqual([]);
    await client.egress.close();
    const { requests, connections } = await standin.control.records(lastSeq);
    const upgrades = requests.filter((request) => request.kind === 'ws');
    expect(upgrades.map((request) => [request.origin, request.status, request.refusedBy])).toEqual([
      ['https://web.whatsapp.com', 403, 'host:refuseUpgrades'],
    ]);
    expect(connections.filter((connection) => connection.requestSeq > lastSeq)).toEqual([]);
  });

  it(
    "refuses only foreign origins: Baileys' own " + "origin still connects, a page's is refused",
    async () => {
      const { lastSeq } = await standin.control.records();
      await standin.control.setHostFaults('web.whatsapp.com', { refuseUpgrades: 'foreign-origin' });
      const client = await startClient(standin, await freshAuth());
      await client.firstQr;
      await client.stop();
      // The egress fails a refused upgrade itself, so the page's socket only sees an error.
      expect(await openFrom('https://orders.restaurant.example')).not.toBe(101);
      expect(await openFrom('https://web.whatsapp.com')).toBe(101);
      const { requests } = await standin.control.records(lastSeq);
      const upgrades = requests.filter((request) => request.kind === 'ws');
      expect(
        upgrades.map((request) => [request.origin, request.status, request.refusedBy]),
      ).toEqual([
        ['https://web.whatsapp.com', 101, null],
        ['https://orders.restaurant.example', 403, 'host:refuseUpgrades'],
        ['https://web.whatsapp.com', 101, null],
      ]);
    },
  );
});

describe('refused CORS preflights', () => {
  async function preflight(origin: string): Promise<{ status: number; allow: string | null }> {
    const egress = createEgress({
      tenant: `standin-preflight-${Date.now()}`,
      policy: 'direct',
      hostMap: standin.hostMap,
      ca: standin.caPem,
    });
    try {
      const response = await fetch('https://mmg.whatsapp.net/v/t62.7119-24/1_2_3_n.enc', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
        dispatcher: egress.dispatcher,
      } as RequestInit);
      return {
        status: response.status,
        allow: response.headers.get('access-control-allow-origin'),
      };
    } finally {
      await egress.close();
    }
  }

  it('answers a preflight from any origin with a wildcard when no fault is set', async () => {
    expect(await preflight('https://orders.restaurant.example')).toEqual({
      status: 204,
      allow: '*',
    });
  });

  it("refuses preflights whose Origin is not WhatsApp Web's with the fault set", async () => {
    const { lastSeq } = await standin.control.records();
    await standin.control.setHostFaults('mmg.whatsapp.net', { refusePreflights: 'foreign-origin' });
    expect(await preflight('https://orders.restaurant.example')).toEqual({
      status: 403,
      allow: null,
    });
    expect(await preflight('https://web.whatsapp.com')).toEqual({ status: 204, allow: '*' });
    const { requests } = await standin.control.records(lastSeq);
    const refused = requests.filter((request) => request.refusedBy === 'host:refusePreflights');
    expect(refused.map((request) => [request.method, request.origin])).toEqual([
      ['OPTIONS', 'https://orders.restaurant.example'],
    ]);
  });
});
