import { describe, expect, it } from 'vitest';
import { parseTunnelSettings, RouteController } from '../../../src/tunnel/index.js';
import type { MoveReason, MoveRecord, MoveSituation } from '../../../src/tunnel/index.js';
import { until } from '../support/until.js';

const settings = parseTunnelSettings({
  routes: { healthyForMs: 0, quietMs: 0, recheckMs: 10, maxMovesPerHour: 2 },
}).routes;

function situation(route: 'direct' | 'tunnel', ready: boolean): MoveSituation {
  const now = Date.now();
  return {
    now,
    policy: 'prefer-tunnel',
    session: 'connected',
    websocket: { route, established: true, lastActivityAt: now - 1_000, upstreamLost: false },
    liveHttp: 0,
    tunnel: { ready, readySince: ready ? now - 1_000 : null, why: ready ? 'ready' : 'no_peer' },
    fitness: { rttP95Ms: null, upstreamSilentMs: null },
    movesOntoTunnel: [],
  };
}

/** A session manager stand-in that records reconnects and flips the route as a real move would. */
function harness(start: 'direct' | 'tunnel', answer: () => Promise<boolean> = async () => true) {
  const state = { route: start as 'direct' | 'tunnel', ready: true };
  const calls: MoveReason[] = [];
  const moved: MoveRecord[] = [];
  const failed: string[] = [];
  const controller = new RouteController({
    tenant: 'pizzeria-1',
    settings,
    sessions: {
      reconnect: async (_tenant, reason) => {
        calls.push(reason);
        const done = await answer();
        if (done) state.route = reason === 'tunnel_ready' ? 'tunnel' : 'direct';
        return done;
      },
    },
    situation: () => situation(state.route, state.ready),
    moving: () => undefined,
    moved: (record) => moved.push(record),
    failed: (_reason, error) => failed.push((error as Error).message),
  });
  return { state, calls, moved, failed, controller };
}

describe('the route controller', () => {
  it('asks for one reconnect onto a ready tunnel and records the move', async () => {
    const { controller, calls, moved } = harness('direct');
    controller.evaluate();
    await until(() => moved[0], 'the move');
    controller.evaluate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toEqual(['tunnel_ready']);
    expect(moved[0]).toMatchObject({
      from: 'direct',
      to: 'tunnel',
      reason: 'tunnel_ready',
      done: true,
    });
    expect(controller.movesOntoTunnel).toHaveLength(1);
    controller.close();
  });

  it(
    'moves back direct at once when the tunnel ' + 'goes, without counting it against the cap',
    async () => {
      const { controller, calls, state } = harness('tunnel');
      state.ready = false;
      controller.evaluate();
      await until(() => (calls.length === 1 ? true : undefined), 'the move');
      expect(calls).toEqual(['tunnel_lost']);
      expect(controller.movesOntoTunnel).toEqual([]);
      controller.close();
    },
  );

  it('stops at the hourly cap of moves onto the tunnel', async () => {
    const { controller, calls, state } = harness('direct');
    for (let round = 0; round < 3; round += 1) {
      controller.evaluate();
      await new Promise((resolve) => setTimeout(resolve, 60));
      state.route = 'direct';
    }
    expect(calls).toEqual(['tunnel_ready', 'tunnel_ready']);
    expect(controller.lastDecision).toMatchObject({ action: 'stay', why: 'moves per hour capped' });
    controller.close();
  });

  it('does not count a reconnect the session manager did not make', async () => {
    const { controller, moved } = harness('direct', async () => false);
    controller.evaluate();
    await until(() => moved[0], 'the answer');
    expect(moved[0]?.done).toBe(false);
    expect(controller.movesOntoTunnel).toEqual([]);
    controller.close();
  });

  it('reports a reconnect that failed and decides again', async () => {
    let first = true;
    const { controller, failed, calls } = harness('direct', async () => {
      if (first) {
        first = false;
        throw new Error('the lease is gone');
      }
      return true;
    });
    controller.evaluate();
    await until(() => (calls.length === 2 ? true : undefined), 'a second attempt');
    expect(failed).toEqual(['the lease is gone']);
    controller.close();
  });
});
