import { describe, expect, it } from 'vitest';
import { RoomClient, roomPath, tokenFor } from '../support/client.js';
import { healthyPeer, inspect, newTenant, requestHead } from '../support/scenario.js';
import type { BehaviourTarget } from '../support/target.js';

export function fencingBehaviour(get: () => BehaviourTarget): void {
  describe('one worker per tenant, fenced by the lease epoch', () => {
    it('refuses a lower lease epoch than one seen, even after that worker left', async () => {
      const target = get();
      const tenant = newTenant('fence');
      const rightful = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 7 });
      rightful.close();
      await rightful.socket.closed;

      const token = await tokenFor(target, { role: 'worker', tenant, epoch: 6 });
      const stale = await RoomClient.open(target, roomPath(tenant, token), { role: 'worker' });
      const error = await stale.next('error');
      expect(error.body.code).toBe('auth_stale_epoch');
      expect(error.body.message).toContain('lease epoch 6 is lower than 7');
      expect(await stale.closeCode()).toBe(4018);
      expect((await inspect(target, tenant)).highestEpoch).toBe(7);
    });

    it('lets an equal epoch replace the older worker, which hears replaced (4020)', async () => {
      const target = get();
      const tenant = newTenant('fence');
      const older = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 3 });
      const newer = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 3 });
      expect((await older.next('error')).body.code).toBe('replaced');
      expect(await older.closeCode()).toBe(4020);

      const room = await inspect(target, tenant);
      expect(room.worker).toMatchObject({ connectionName: newer.name, epoch: 3, stage: 'open' });
      expect(room.events.filter((event) => event.kind === 'replaced')).toHaveLength(1);
    });

    it('resets the replaced worker streams at the peer; the new one relays', async () => {
      const target = get();
      const tenant = newTenant('fence');
      const older = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 4 });
      const peer = await healthyPeer(target, older, { tenant, primary: true });
      older.send(requestHead(1, 41));
      await peer.next('request-head', (m) => m.streamId === 1);

      const newer = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 5 });
      const reset = await peer.next('reset', (m) => m.streamId === 1);
      expect(reset).toMatchObject({ connectionId: 41, body: { code: 'replaced' } });
      expect(await older.closeCode()).toBe(4020);

      const presence = await newer.next('presence', (m) => m.body.primary === peer.name);
      expect(presence.body.peers.map((info) => info.peerId)).toEqual([peer.name]);
      newer.send(requestHead(1, 51));
      const head = await peer.next('request-head', (m) => m.streamId === 1);
      expect(head.connectionId).toBe(51);
    });
  });
}
