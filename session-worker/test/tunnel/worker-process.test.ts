import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyToken } from '@pasarela/shared';
import { startStandin } from '@pasarela/standin';
import type { ContactView, Standin } from '@pasarela/standin';
import { startNodePeer, untilStatus } from '@pasarela/web/node-peer';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, report, SseReader } from '../api/support/client.js';
import type { SseEvent } from '../api/support/client.js';
import { TEST_SESSION_SETTINGS } from '../session/support/harness.js';
import { TEST_ADMIN_KEY, WorkerProcess, workerEnv } from '../session/support/worker-process.js';
import { BOUNDS, TEST_TUNNEL_SETTINGS } from './support/fixture.js';
import {
  PEER_ADDRESS,
  standinDevMap,
  TEST_PEER_RECONNECT,
  WORKER_ADDRESS,
} from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, testPng } from './support/stack.js';
import { until } from './support/until.js';

/**
 * The worker as a cloud host runs it: `src/main.ts` in a process of its
 * own, configured by its environment with a room under `wrangler dev`. The
 * restaurant's backend is this test: it mints peer tokens with its tenant
 * key and hands them to a Node peer on the restaurant's own address, and
 * reads the API, SSE and `/metrics` as an operator would.
 */
const TENANT = 'proceso-tunel';
const OTHER = 'proceso-vecino';
const PHONE = '15550100901';
/** tsx compiles the entry, then the store opens. */
const START_MS = 30_000;
/** Pairing is a registration, a 515 and a login: each within Baileys' connect limit. */
const PAIR_MS = TEST_SESSION_SETTINGS.connectTimeoutMs * 4;
/** The peer joins, the hysteresis runs out, Baileys logs in again on the tunnel. */
const MOVE_MS =
  BOUNDS.peerJoinMs +
  (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
  TEST_SESSION_SETTINGS.connectTimeoutMs * 2;
/** The room notices the tab is gone, and Baileys logs in again direct. */
const LEAVE_MS = BOUNDS.peerGoneMs + TEST_SESSION_SETTINGS.connectTimeoutMs * 2;

const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
let standin: Standin;
let folder: string;
let worker: WorkerProcess;
let admin: ApiClient;
let tenant: ApiClient;
let other: ApiClient;
let events: SseReader;
let contact: ContactView;
let peer: RelayPeer | undefined;
let peerTokens = 0;

const dataOf = (event: SseEvent) =>
  (JSON.parse(event.data) as { data: Record<string, unknown> }).data;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startStandin().then((s) => (standin = s))]);
  report(`[wrangler dev] answered /health ${ms} ms after spawn`);
  folder = await mkdtemp(join(tmpdir(), 'pasarela-tunnel-process-'));
  worker = new WorkerProcess({
    ...workerEnv(standin, { PASARELA_SQLITE_PATH: join(folder, 'worker.db') }),
    PASARELA_ROOM_URL: `ws://${room.host}`,
    TOKEN_KEYS: keys.json,
    PASARELA_TUNNEL_SETTINGS: JSON.stringify(TEST_TUNNEL_SETTINGS),
    PASARELA_DEFAULT_POLICY: 'prefer-tunnel',
    PASARELA_SSE_POLL_MS: '200',
  });
  const ready = await worker.waitFor((line) => line.ev === 'ready', START_MS, 'ready');
  admin = new ApiClient(`http://127.0.0.1:${String(ready['port'])}`, TEST_ADMIN_KEY);
  const mint = async (id: string) =>
    admin.as((await admin.post<{ key: string }>(`/api/tenants/${id}/keys`, {})).body.key);
  tenant = await mint(TENANT);
  other = await mint(OTHER);
  events = new SseReader(`${admin.baseUrl}/api/events?tenantId=${TENANT}`, tenant.key!);
  await events.ready();
  contact = await standin.control.createContact({ name: 'Cliente' });
}, ROOM_START_TIMEOUT_MS + START_MS);

afterAll(async () => {
  peer?.stop();
  events?.close();
  await worker?.kill();
  await room.stop();
  await standin?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** What the restaurant's backend does for its page: a fresh peer token per call. */
async function peerToken(client: ApiClient) {
  return client.post<{ token: string; expiresAt: number; error?: { code: string } }>(
    '/api/tunnel/tokens',
    { tenantId: TENANT, role: 'peer' },
  );
}

async function session() {
  return (await tenant.get<Record<string, unknown>>(`/api/baileys/sessions/${TENANT}`)).body;
}

async function latestConnection() {
  return connectionsOf(await standin.control.records(), PHONE).at(-1);
}

describe('the worker process with a tunnel', () => {
  it('pairs a tenant direct while no tab is open', async () => {
    const created = await admin.post('/api/baileys/sessions', { tenantId: TENANT });
    expect(created.status).toBe(201);
    await events.next((e) => e.event === 'session.qr', 'a QR', PAIR_MS);
    const qr = await tenant.get<{ qr: string }>(`/api/baileys/sessions/${TENANT}/qr`);
    await standin.control.scanQr(qr.body.qr, { phone: PHONE });
    await events.next(
      (e) => e.event === 'session.status' && dataOf(e)['to'] === 'connected',
      'connected',
      PAIR_MS,
    );
    expect(await session()).toMatchObject({
      status: 'connected',
      egressPolicy: 'prefer-tunnel',
      hasTunnel: false,
      tunnelHealthy: false,
      route: 'direct',
      tunnel: 'no peer connected',
    });
    expect((await latestConnection())?.remoteAddress).toBe(WORKER_ADDRESS);
  });

  it(
    'mints a peer token with the tenant key, ' + "and refuses another tenant's key and none",
    async () => {
      const minted = await peerToken(tenant);
      expect(minted.status).toBe(200);
      const claims = await verifyToken(minted.body.token, keys.keys, {
        tenant: TENANT,
        roles: ['peer'],
      });
      expect(claims.expiresAt - claims.issuedAt).toBe(600);
      const wrong = await peerToken(other);
      expect([wrong.status, wrong.body.error?.code]).toEqual([403, 'auth_wrong_tenant']);
      const none = await peerToken(tenant.as(null));
      expect([none.status, none.body.error?.code]).toEqual([401, 'auth_missing']);
    },
  );

  it(
    'moves the session onto the tab that joined ' + 'with that token, and says so everywhere',
    async () => {
      const since = events.events.length;
      const started = Date.now();
      peer = startNodePeer({
        host: room.host,
        tenant: TENANT,
        // The backend's route behind the page: a new token for every connection attempt.
        getToken: async () => {
          const answer = await peerToken(tenant);
          if (answer.status !== 200) throw new Error(`token route answered ${answer.status}`);
          peerTokens += 1;
          return answer.body.token;
        },
        mode: 'development',
        devHostMap: standinDevMap(standin),
        localAddress: PEER_ADDRESS,
        reconnect: TEST_PEER_RECONNECT,
      });
      await untilStatus(peer, 'connected');
      expect(peerTokens).toBeGreaterThanOrEqual(1);
      const fresh = (e: SseEvent) => events.events.indexOf(e) >= since;
      const connected = await events.next(
        (e) => fresh(e) && e.event === 'tunnel.connected',
        'tunnel.connected',
        MOVE_MS,
      );
      expect(dataOf(connected)).toMatchObject({ peerId: expect.any(String) });
      const moved = await events.next(
        (e) => fresh(e) && e.event === 'route.changed' && dataOf(e)['to'] === 'tunnel',
        'route.changed to the tunnel',
        MOVE_MS,
      );
      expect(dataOf(moved)).toEqual({
        leg: 'websocket',
        from: 'direct',
        to: 'tunnel',
        reason: 'tunnel_ready',
        controlled: true,
      });
      report(`[process] tab joined to WebSocket on the tunnel: ${Date.now() - started} ms`);
      await until(
        async () => ((await latestConnection())?.remoteAddress === PEER_ADDRESS ? true : undefined),
        'the login from the restaurant address',
        MOVE_MS,
      );
      await until(
        async () => {
          const { status, route } = await session();
          return status === 'connected' && route === 'tunnel' ? true : undefined;
        },
        'the session connected on the tunnel',
        MOVE_MS,
      );
      const listed = await tenant.get<{ sessions: Record<string, unknown>[] }>(
        '/api/baileys/sessions',
      );
      expect(listed.body.sessions).toEqual([
        expect.objectContaining({
          tenantId: TENANT,
          status: 'connected',
          hasTunnel: true,
          tunnelHealthy: true,
          route: 'tunnel',
        }),
      ]);
    },
  );

  it('relays an image upload through the tab, counted in the stats, metrics and log', async () => {
    const { lastSeq } = await standin.control.records();
    const image = testPng(64, 64, 9);
    const sent = await tenant.post(`/api/baileys/sessions/${TENANT}/messages/media`, {
      to: contact.phone,
      kind: 'image',
      mimetype: 'image/png',
      data: image.toString('base64'),
    });
    expect(sent.status).toBe(201);
    const uploads = (await standin.control.records(lastSeq)).requests.filter(
      (request) => request.method === 'POST' && request.party === null && request.kind === 'http',
    );
    expect(uploads.map((request) => request.remoteAddress)).toEqual([PEER_ADDRESS]);

    const stats = await tenant.get<Record<string, unknown>>(`/api/tunnel/stats/${TENANT}`);
    expect(stats.status).toBe(200);
    const body = stats.body as {
      requestsSent: number;
      requestsSuccess: number;
      requestsFailed: number;
      bytesProxied: number;
      uptime: number;
      lastHeartbeat: number | null;
      timeSinceHeartbeat: number | null;
      route: Record<string, string>;
      peer: { health: string } | null;
      routeChanges: { count: number; recent: { reason: string }[] };
      leaks: { count: number };
    };
    report(
      `[process] stats: ${body.requestsSent} sent, ${body.requestsSuccess} succeeded, ` +
        `${body.bytesProxied} bytes, heartbeat ${body.timeSinceHeartbeat} ms ago`,
    );
    expect(body.requestsSent).toBeGreaterThanOrEqual(1);
    expect(body.requestsSuccess).toBeGreaterThanOrEqual(1);
    expect(body.bytesProxied).toBeGreaterThan(image.length);
    expect(body.uptime).toBeGreaterThan(0);
    expect(body.lastHeartbeat).toEqual(expect.any(Number));
    expect(body.route).toEqual({ websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' });
    expect(body.peer?.health).toBe('healthy');
    expect(body.routeChanges.recent.map((change) => change.reason)).toEqual(['tunnel_ready']);
    expect(body.leaks.count).toBe(0);

    const metrics = (await admin.get('/metrics')).bytes.toString('utf8');
    const sample = (name: string, labels: string) =>
      Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const tenantLabel = `tenant="${TENANT}"`;
    expect(sample('pasarela_tunnel_requests_total', `${tenantLabel},route="tunnel"`)).toBe(
      body.requestsSent,
    );
    expect(
      sample('pasarela_tunnel_bytes_total', `${tenantLabel},route="tunnel",direction="sent"`),
    ).toBeGreaterThan(image.length);
    expect(
      sample(
        'pasarela_tunnel_route_changes_total',
        `${tenantLabel},to="tunnel",reason="tunnel_ready"`,
      ),
    ).toBe(1);
    expect(
      sample(
        'pasarela_tunnel_route',
        `${tenantLabel},leg="websocket",route="tunnel",policy="prefer-tunnel"`,
      ),
    ).toBe(1);
    expect(sample('pasarela_tunnel_peer', `${tenantLabel},status="healthy"`)).toBe(1);
    expect(sample('pasarela_tunnel_room_link_up', tenantLabel)).toBe(1);

    const lines = worker.logs
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const upload = lines.find(
      (line) =>
        line['msg'] === 'request finished' &&
        line['route'] === 'tunnel' &&
        line['method'] === 'POST',
    );
    expect(upload).toMatchObject({
      level: 20,
      tenant: TENANT,
      status: 200,
      durationMs: expect.any(Number),
      url: expect.stringMatching(/^https:\/\/[^?]+$/),
    });
  });

  it(
    'tells every page of a policy change in the ' + 'tenant status, read back with an admin token',
    async () => {
      const token = await admin.post<{ token: string }>('/api/tunnel/tokens', {
        role: 'admin',
        tenantId: TENANT,
      });
      expect(token.status).toBe(200);
      const inspect = async (bearer: string) =>
        fetch(`http://${room.host}/admin/rooms/${TENANT}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
      const put = await tenant.call('PUT', `/api/baileys/sessions/${TENANT}/policy`, {
        body: { policy: 'tunnel-only' },
      });
      expect(put.status).toBe(200);
      const seen = await until(
        async () => {
          const answer = (await (await inspect(token.body.token)).json()) as {
            tenantStatus: Record<string, unknown> | null;
            peers: { peerId: string }[];
          };
          return answer.tenantStatus?.['policy'] === 'tunnel-only' ? answer : undefined;
        },
        'the tunnel-only policy in the status frame',
        BOUNDS.peerJoinMs,
      );
      expect(seen.tenantStatus).toMatchObject({
        session: 'connected',
        routes: { websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' },
        protected: true,
        peer: {
          peerId: seen.peers[0]!.peerId,
          state: 'active',
          health: 'healthy',
          slow: false,
        },
      });
      expect(peer!.tenantStatus?.policy).toBe('tunnel-only');
      const back = await tenant.call('PUT', `/api/baileys/sessions/${TENANT}/policy`, {
        body: { policy: 'prefer-tunnel' },
      });
      expect(back.status).toBe(200);

      const minted = await peerToken(tenant);
      const refused = await inspect(minted.body.token);
      const refusal = (await refused.json()) as { error: { code: string } };
      expect([refused.status, refusal.error.code]).toEqual([403, 'auth_wrong_role']);
      const every = await admin.post<{ token: string }>('/api/tunnel/tokens', { role: 'admin' });
      const rooms = (await (
        await fetch(`http://${room.host}/admin/rooms`, {
          headers: { authorization: `Bearer ${every.body.token}` },
        })
      ).json()) as { rooms: { tenant: string }[] };
      expect(rooms.rooms.map((entry) => entry.tenant)).toContain(TENANT);
    },
  );

  it('goes direct when the tab leaves, with a reason, keeping the session', async () => {
    const since = events.events.length;
    const fresh = (e: SseEvent) => events.events.indexOf(e) >= since;
    const started = Date.now();
    peer!.stop();
    const gone = await events.next(
      (e) => fresh(e) && e.event === 'tunnel.disconnected',
      'tunnel.disconnected',
      LEAVE_MS,
    );
    expect(dataOf(gone)).toEqual({ reason: 'peer left', code: null });
    const moved = await events.next(
      (e) => fresh(e) && e.event === 'route.changed' && dataOf(e)['to'] === 'direct',
      'route.changed to direct',
      LEAVE_MS,
    );
    expect(dataOf(moved)).toMatchObject({ from: 'tunnel', to: 'direct', reason: 'tunnel_lost' });
    report(`[process] tab stopped to WebSocket direct: ${Date.now() - started} ms`);
    await until(
      async () => ((await latestConnection())?.remoteAddress === WORKER_ADDRESS ? true : undefined),
      'the login from the worker address',
      LEAVE_MS,
    );
    await until(
      async () => {
        const { status, route } = await session();
        return status === 'connected' && route === 'direct' ? true : undefined;
      },
      'the session connected direct',
      LEAVE_MS,
    );
    expect(await session()).toMatchObject({
      status: 'connected',
      hasTunnel: false,
      tunnelHealthy: false,
      route: 'direct',
      tunnel: 'no peer connected',
    });
    expect(events.events.filter((e) => e.event === 'session.qr').map((e) => e.id)).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM with its tunnel open', async () => {
    worker.signal('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});
