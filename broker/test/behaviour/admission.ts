import { describe, expect, it } from 'vitest';
import { signToken } from '@pasarela/shared';
import type { ErrorCode } from '@pasarela/shared';
import { RoomClient, roomPath, tokenFor } from '../support/client.js';
import { inspect, newTenant } from '../support/scenario.js';
import type { BehaviourTarget } from '../support/target.js';

type TokenMaker = (target: BehaviourTarget, tenant: string) => Promise<string | null>;

const HOUR_MS = 3_600_000;

/** Each way a token can be refused, the code it must name and the close code that follows. */
const REFUSALS: Array<[string, ErrorCode, number, TokenMaker]> = [
  ['no token at all', 'auth_missing', 4010, async () => null],
  ['a token that is not a pt1 token', 'auth_malformed', 4011, async () => 'pt1.not-a-token'],
  [
    'an expired token',
    'auth_expired',
    4012,
    (target, tenant) =>
      tokenFor(target, { role: 'peer', tenant, ttlSeconds: 60, now: Date.now() - 2 * HOUR_MS }),
  ],
  [
    'a token issued an hour in the future',
    'auth_not_yet_valid',
    4013,
    (target, tenant) => tokenFor(target, { role: 'peer', tenant, now: Date.now() + HOUR_MS }),
  ],
  [
    'a peer token of another tenant',
    'auth_wrong_tenant',
    4014,
    (target) => tokenFor(target, { role: 'peer', tenant: 'some-other-tenant' }),
  ],
  [
    'an admin token',
    'auth_wrong_role',
    4015,
    (target, tenant) => tokenFor(target, { role: 'admin', tenant }),
  ],
  [
    'a token signed with the wrong secret',
    'auth_bad_signature',
    4016,
    (target, tenant) =>
      signToken(
        { tenant, role: 'peer', ttlSeconds: 300 },
        {
          signingKeyId: target.keys.signingKeyId,
          keys: { [target.keys.signingKeyId]: 'a-secret-the-room-has-never-heard-of-0123' },
        },
      ),
  ],
  [
    'a token signed with an unknown key id',
    'auth_unknown_key',
    4017,
    (_target, tenant) =>
      signToken(
        { tenant, role: 'peer', ttlSeconds: 300 },
        { signingKeyId: 'retired', keys: { retired: 'a-retired-secret-0123456789-0123456789' } },
      ),
  ],
];

export function admissionBehaviour(get: () => BehaviourTarget): void {
  describe('admission', () => {
    it.each(REFUSALS)(
      'refuses %s with an error frame naming %s, then closes with %i',
      async (_what, code, closeCode, makeToken) => {
        const target = get();
        const tenant = newTenant('auth');
        const token = await makeToken(target, tenant);
        const path = token === null ? `/parties/tunnel/${tenant}` : roomPath(tenant, token);
        const client = await RoomClient.open(target, path);
        const error = await client.next('error');
        expect(error.body.code).toBe(code);
        if (token) expect(error.body.message).not.toContain(token.split('.')[2]);
        expect(await client.closeCode()).toBe(closeCode);
        expect((await inspect(target, tenant)).stats.refusals).toEqual({ [code]: 1 });
      },
    );

    it('refuses a Hello of another protocol version with version_mismatch (4001)', async () => {
      const target = get();
      const tenant = newTenant('auth');
      const token = await tokenFor(target, { role: 'peer', tenant });
      const client = await RoomClient.open(target, roomPath(tenant, token));
      client.send({
        kind: 'hello',
        body: {
          protocol: 2,
          role: 'peer',
          software: 'future',
          capabilities: [],
          limits: { maxFrameSize: 65_536, streamWindow: 65_536, maxStreams: 4 },
        },
      });
      const error = await client.next('error');
      expect(error.body.code).toBe('version_mismatch');
      expect(error.body.message).toContain('protocol 2');
      expect(await client.closeCode()).toBe(4001);
    });

    it('refuses a first frame that is not Hello with handshake_required (4005)', async () => {
      const target = get();
      const tenant = newTenant('auth');
      const token = await tokenFor(target, { role: 'peer', tenant });
      const client = await RoomClient.open(target, roomPath(tenant, token));
      client.send({ kind: 'pong', sentAt: 1, repliedAt: 2 });
      expect((await client.next('error')).body.code).toBe('handshake_required');
      expect(await client.closeCode()).toBe(4005);
    });

    it('refuses a Hello whose role differs from the token with auth_wrong_role', async () => {
      const target = get();
      const tenant = newTenant('auth');
      const token = await tokenFor(target, { role: 'peer', tenant });
      const client = await RoomClient.open(target, roomPath(tenant, token));
      client.send({
        kind: 'hello',
        body: {
          protocol: 1,
          role: 'worker',
          software: 'impostor',
          capabilities: [],
          limits: { maxFrameSize: 65_536, streamWindow: 65_536, maxStreams: 4 },
        },
      });
      expect((await client.next('error')).body.code).toBe('auth_wrong_role');
      expect(await client.closeCode()).toBe(4015);
    });

    it('closes a socket that never says Hello once the handshake time is up', async () => {
      const target = get();
      const tenant = newTenant('auth');
      const token = await tokenFor(target, { role: 'worker', tenant, epoch: 1 });
      const started = Date.now();
      const client = await RoomClient.open(target, roomPath(tenant, token), { role: 'worker' });
      const bound = target.config.handshakeTimeoutMs * 2;
      expect((await client.next('error', () => true, bound)).body.code).toBe('handshake_required');
      expect(await client.closeCode(bound)).toBe(4005);
      const elapsed = Date.now() - started;
      console.log(
        `[${target.name}] silent socket closed after ${elapsed} ms ` +
          `(handshake timeout ${target.config.handshakeTimeoutMs} ms, bound ${bound} ms)`,
      );
    });

    it('answers Hello with Welcome carrying the smaller of both sides limits', async () => {
      const target = get();
      const tenant = newTenant('auth');
      const client = await RoomClient.connect(target, {
        role: 'peer',
        tenant,
        limits: { maxFrameSize: 65_536, streamWindow: 4 * 1024 * 1024, maxStreams: 100 },
      });
      expect(client.welcome).toMatchObject({
        protocol: 1,
        role: 'peer',
        tenant,
        limits: { maxFrameSize: 65_536, streamWindow: 1_048_576, maxStreams: 8 },
      });
      expect(client.welcome?.connectionName).toMatch(/^p-[a-z0-9]{12}$/);
    });

    it('answers a text message with bad_frame and keeps the connection', async () => {
      const target = get();
      const tenant = newTenant('auth');
      const client = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
      client.socket.send('hello as text');
      expect((await client.next('error')).body.code).toBe('bad_frame');
      client.send({ kind: 'ping', sentAt: 12_345 });
      expect(await client.next('pong')).toMatchObject({ kind: 'pong', sentAt: 12_345 });
    });
  });
}
