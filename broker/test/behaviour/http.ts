import { describe, expect, it } from 'vitest';
import { tokenFor } from '../support/client.js';
import { adminToken, waitFor, workerAndPeer } from '../support/scenario.js';
import type { BehaviourTarget } from '../support/target.js';

async function json(response: Response): Promise<{ status: number; body: unknown }> {
  return { status: response.status, body: await response.json() };
}

export function httpBehaviour(get: () => BehaviourTarget, runtime: 'workers' | 'partykit'): void {
  describe('HTTP routes', () => {
    it('answers GET /health with the runtime and protocol', async () => {
      const { status, body } = await json(await get().fetch('/health'));
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', runtime, protocol: 1 });
    });

    it('answers an unknown route with 404 and the not_found code', async () => {
      const { status, body } = await json(await get().fetch('/no/such/route'));
      expect(status).toBe(404);
      expect(body).toMatchObject({ error: { code: 'not_found' } });
    });

    it('inspects a room for an admin of that tenant or of all, and no one else', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'http');
      const ask = async (token: string | null) =>
        json(
          await target.fetch(`/admin/rooms/${tenant}`, {
            headers: token ? { authorization: `Bearer ${token}` } : {},
          }),
        );
      expect(await ask(null)).toMatchObject({
        status: 401,
        body: { error: { code: 'auth_missing' } },
      });
      const peerToken = await tokenFor(target, { role: 'peer', tenant });
      expect(await ask(peerToken)).toMatchObject({
        status: 403,
        body: { error: { code: 'auth_wrong_role' } },
      });
      const elsewhere = await adminToken(target, 'another-tenant');
      expect(await ask(elsewhere)).toMatchObject({
        status: 403,
        body: { error: { code: 'auth_wrong_tenant' } },
      });
      const own = await ask(await adminToken(target, tenant));
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({
        tenant,
        worker: { connectionName: worker.name, epoch: 1, stage: 'open' },
        primary: peer.name,
        peers: [{ peerId: peer.name, role: 'primary', state: 'active', health: 'healthy' }],
        streams: [],
      });
      const viaQuery = await target.fetch(
        `/admin/rooms/${tenant}?token=${await adminToken(target)}`,
      );
      expect(viaQuery.status).toBe(200);
      const room = (await viaQuery.json()) as { events: Array<{ kind: string }> };
      expect(room.events.map((event) => event.kind)).toEqual([
        'connected',
        'connected',
        'health',
        'primary',
      ]);
    });

    it('lists the rooms seen for an admin token of every tenant only', async () => {
      const target = get();
      const { tenant } = await workerAndPeer(target, 'http');
      const narrow = await target.fetch('/admin/rooms', {
        headers: { authorization: `Bearer ${await adminToken(target, tenant)}` },
      });
      expect(await json(narrow)).toMatchObject({
        status: 403,
        body: { error: { code: 'auth_wrong_tenant' } },
      });
      const token = await adminToken(target);
      const { value } = await waitFor('room listed', target.config.handshakeTimeoutMs, async () => {
        const response = await target.fetch('/admin/rooms', {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as {
          rooms: Array<{ tenant: string; peers: number; worker: boolean; primary: boolean }>;
        };
        return body.rooms.find((room) => room.tenant === tenant && room.primary);
      });
      expect(value).toMatchObject({ tenant, peers: 1, worker: true, primary: true });
    });

    it('answers a room URL that is not a tenant id with not_found', async () => {
      const target = get();
      const token = await adminToken(target);
      const response = await target.fetch(`/admin/rooms/Not_A_Tenant!`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await json(response)).toMatchObject({
        status: 404,
        body: { error: { code: 'not_found' } },
      });
    });
  });
}
