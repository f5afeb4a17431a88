import { startStandin } from '@pasarela/standin';
import type { ContactView, Standin } from '@pasarela/standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTenant, statuses } from '../session/support/harness.js';
import { BAILEYS_KEEPALIVE_GRACE_MS } from '../../src/tunnel/index.js';
import { DelayRelay } from './support/delay-relay.js';
import { PEER_ADDRESS, WORKER_ADDRESS } from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, startStack } from './support/stack.js';
import type { Stack } from './support/stack.js';
import { until } from './support/until.js';

/**
 * FIELD-NOTES F6. Baileys' keepalive every 3 s over a peer leg with 300 ms
 * latency and up to 1 s of jitter each way (a delay relay of the test's
 * own: the kernel here has no netem): 5,000 queued messages arrive on
 * reconnect and 40 keepalive rounds pass with no close the product did not
 * start. In a second run the leg's latency rises past the threshold, and
 * the product moves the tenant direct, with its own reason, before
 * Baileys' keepalive gives up.
 */
const KEEPALIVE_MS = 3_000;
const ROUNDS = 40;
const BURST = 5_000;
const UPSTREAM_SILENCE_MS = 6_000;
const keys = testKeys();
// Slow pings and a high degraded mark: the room itself must not give up on
// a peer whose answers take seconds, so the worker's own thresholds decide.
const room = new RoomServer({
  keysJson: keys.json,
  config: { pingIntervalMs: 1_000, goneAfterMissedPings: 20, degradedRttMs: 20_000 },
});
let standin: Standin;
let stack: Stack;
let contact: ContactView;
/** Ids of every message Baileys upserted, per tenant, over all its sockets. */
const upserted = new Map<string, Set<string>>();

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startStandin().then((s) => (standin = s))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
  stack = await startStack({
    standin,
    room,
    keys,
    session: { keepAliveIntervalMs: KEEPALIVE_MS, defaultQueryTimeoutMs: 30_000 },
    // Baileys allows an answer 5 s past each 3 s keepalive tick: the round
    // trip may near, not reach, that.
    tunnel: { routes: { upstreamSilenceMs: UPSTREAM_SILENCE_MS, rttP95LimitMs: 4_000 } },
    onSocket: (tenant, sock) => {
      const ids = upserted.get(tenant) ?? new Set<string>();
      upserted.set(tenant, ids);
      sock.ev.on('messages.upsert', ({ messages }) => {
        for (const message of messages) if (message.key.id) ids.add(message.key.id);
      });
    },
  });
  contact = await standin.control.createContact({ name: 'F6 Customer' });
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await room.stop();
  await standin?.close();
});

/** Closes Baileys itself noticed (a drop, a timeout), as opposed to ones the product started. */
const UNSTARTED =
  /^reconnecting\((connection_lost|timed_out|connection_closed|unavailable|bad_session|error)\)$/;

describe('F6: keepalive over a slow, uneven peer leg', () => {
  it(
    'takes 5,000 queued messages and 40 keepalive ' +
      'rounds with no close the product did not start',
    async () => {
      const tenant = 'f6-jitter';
      const phone = '15550100601';
      const relay = await new DelayRelay(
        { host: '127.0.0.1', port: room.port },
        300,
        1_000,
      ).listen();
      const peer = await stack.startPeer(tenant, { roomHost: relay.host });
      await pairTenant(stack.harness, standin, tenant, phone);
      // The room judges the peer healthy after its first answers; the
      // WebSocket is on the tunnel by then (moved there if it opened first).
      await until(
        () => (stack.service.status(tenant)?.routes.websocket === 'tunnel' ? true : undefined),
        'the WebSocket on the tunnel',
        60_000,
      );
      const burst = await standin.control.burst(contact.phone, phone, BURST, 'F6 order');
      const from = stack.harness.transitions.length;
      const started = Date.now();
      await stack.harness.manager.restart(tenant);
      const arrived = () => burst.ids.filter((id) => upserted.get(tenant)?.has(id)).length;
      await until(
        async () => {
          const latest = connectionsOf(await standin.control.records(), phone).at(-1);
          return latest?.kind === 'login' && latest.remoteAddress === PEER_ADDRESS
            ? latest
            : undefined;
        },
        'the login through the tunnel',
        60_000,
      );
      await until(
        () => (arrived() >= BURST ? true : undefined),
        `${BURST} queued messages`,
        240_000,
      );
      const deliveredMs = Date.now() - started;
      // Keepalive rounds WhatsApp answered on every login since the restart.
      const answered = async () => {
        const records = await standin.control.records();
        return records.connections
          .filter(
            (c) => c.account === phone && c.kind === 'login' && Date.parse(c.openedAt) >= started,
          )
          .reduce((sum, c) => sum + c.pingsAnswered, 0);
      };
      const rounds = await until(
        async () => ((await answered()) >= ROUNDS ? answered() : undefined),
        `${ROUNDS} keepalive rounds`,
        (ROUNDS + 10) * KEEPALIVE_MS,
      );
      const stats = stack.service.stats(tenant)!;
      console.log(
        `[F6] ${BURST} queued messages upserted ${deliveredMs} ms after the restart; ` +
          `${rounds} keepalive rounds; keepalive round trip over the tunnel ` +
          `p50 ${stats.websocketRoundTrip.p50Ms} ms, p95 ${stats.websocketRoundTrip.p95Ms} ms ` +
          `(${stats.websocketRoundTrip.count} samples); ` +
          `room to peer p95 ${stats.roundTrip.p95Ms} ms`,
      );

      const seen = statuses(stack.harness, tenant, from);
      const changesAfter = stack.changes.filter((c) => c.tenant === tenant && c.at >= started);
      console.log(
        `[F6] after the restart: ${seen.join(' ')}; route changes: ${
          changesAfter.map((c) => `${c.from}→${c.to} (${c.reason})`).join(', ') || 'none'
        }`,
      );
      expect(arrived()).toBe(BURST);
      expect(seen.filter((status) => UNSTARTED.test(status))).toEqual([]);
      expect(seen.slice(0, 3)).toEqual([
        'reconnecting(restart_requested)',
        'starting(restart_requested)',
        'connected(opened)',
      ]);
      // Any later close was a move of the product's own, with its reason.
      expect(seen.slice(3).filter((status) => !/route_changed|opened/.test(status))).toEqual([]);
      expect(changesAfter.filter((change) => !change.controlled)).toEqual([]);
      expect(stats.websocketRoundTrip.count).toBeGreaterThan(0);
      peer.stop();
      await relay.close();
    },
    600_000,
  );

  it(
    'moves direct, with its own reason, when the leg ' +
      'slows past the threshold, before Baileys gives up',
    async () => {
      const tenant = 'f6-slow';
      const phone = '15550100602';
      const relay = await new DelayRelay({ host: '127.0.0.1', port: room.port }).listen();
      const peer = await stack.startPeer(tenant, { roomHost: relay.host });
      await pairTenant(stack.harness, standin, tenant, phone);
      expect(connectionsOf(await standin.control.records(), phone).at(-1)?.remoteAddress).toBe(
        PEER_ADDRESS,
      );
      const from = stack.harness.transitions.length;
      // A round trip of 10 s: past every threshold, and past Baileys' own
      // allowance of one keepalive interval plus 5 s.
      relay.latencyMs = KEEPALIVE_MS + BAILEYS_KEEPALIVE_GRACE_MS;
      await stack.harness.reach(
        tenant,
        'connected',
        UPSTREAM_SILENCE_MS + KEEPALIVE_MS + stack.harness.config.connectTimeoutMs * 2,
        from,
      );

      expect(statuses(stack.harness, tenant, from)).toEqual([
        'reconnecting(route_changed)',
        'starting(route_changed)',
        'connected(opened)',
      ]);
      const change = stack.changes.filter((c) => c.tenant === tenant).at(-1);
      expect(change).toMatchObject({ from: 'tunnel', to: 'direct', controlled: true });
      expect(['upstream_silent', 'rtt_high']).toContain(change?.reason);
      console.log(`[F6] moved direct with reason ${change?.reason}`);
      expect(connectionsOf(await standin.control.records(), phone).at(-1)).toMatchObject({
        kind: 'login',
        remoteAddress: WORKER_ADDRESS,
      });
      expect(stack.service.status(tenant)?.reason).toMatch(/round trip too high|went silent/);
      peer.stop();
      await relay.close();
    },
    120_000,
  );
});
