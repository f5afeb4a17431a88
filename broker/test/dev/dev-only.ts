import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import PartySocket from 'partysocket';
import { RoomClient, tokenFor } from '../support/client.js';
import { inspect, newTenant, waitFor } from '../support/scenario.js';
import { boundsFor } from '../support/target.js';
import { devTarget, START_TIMEOUT_MS } from './target.js';
import type { DevTarget } from './target.js';

/** Cases that need a real process: its logs, a Node reconnecting client, a bad configuration. */
export function devOnlyBehaviour(get: () => DevTarget): void {
  describe('as a process', () => {
    it('leaves one live connection after a partysocket reconnects 20 times', async () => {
      const target = get();
      const tenant = newTenant('ps');
      await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
      const socket = new PartySocket({
        host: `127.0.0.1:${target.server.port}`,
        party: 'tunnel',
        room: tenant,
        query: async () => ({ token: await tokenFor(target, { role: 'peer', tenant }) }),
        WebSocket,
        maxEnqueuedMessages: 0,
        minReconnectionDelay: 10,
        maxReconnectionDelay: 50,
      });
      try {
        for (let round = 0; round < 20; round++) socket.reconnect();
        const bound = boundsFor(target.config).frameMs * 2;
        const { elapsedMs } = await waitFor('a single live peer', bound, async () => {
          const room = await inspect(target, tenant);
          const mine = room.peers.filter((peer) => peer.clientId === socket.id);
          return mine.length === 1 && room.peers.length === 1 && socket.readyState === 1;
        });
        console.log(`[${target.name}] 20 partysocket reconnects settled in ${elapsedMs} ms`);
      } finally {
        socket.close();
      }
    });

    it('never writes a token to its logs', () => {
      const output = get().server.output;
      expect(output.length).toBeGreaterThan(0);
      expect(output.match(/pt1\.[A-Za-z0-9_-]{16,}/g) ?? []).toEqual([]);
    });
  });

  describe('misconfigured', () => {
    const runtime = get().server.options.runtime;
    const broken = devTarget(runtime, { TOKEN_KEYS: '' });
    beforeAll(() => broken.server.start(), START_TIMEOUT_MS);
    afterAll(() => broken.server.dispose(), START_TIMEOUT_MS);

    it('answers /health with config_invalid naming TOKEN_KEYS', async () => {
      const response = await broken.fetch('/health');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: { code: 'config_invalid', message: 'config_invalid: TOKEN_KEYS is not set' },
      });
    });

    it('refuses a connection with config_invalid (4098)', async () => {
      const client = await RoomClient.open(broken, `/parties/tunnel/${newTenant('cfg')}?token=x`);
      expect((await client.next('error')).body).toEqual({
        code: 'config_invalid',
        message: 'config_invalid: TOKEN_KEYS is not set',
      });
      expect(await client.closeCode()).toBe(4098);
    });
  });
}
