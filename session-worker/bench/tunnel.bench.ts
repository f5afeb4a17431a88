/**
 * The tunnel against the stand-in, through a real room under `wrangler
 * dev` and a Node peer on its own address: relayed download MB/s against
 * direct and against the bare room ceiling, the latency a small request
 * gains through the tunnel, and the failover time from a peer's loss to
 * the first frame of the direct connection.
 *
 *   npm run bench -w session-worker -- tunnel
 */
import { performance } from 'node:perf_hooks';
import { startStandin } from '@pasarela/standin';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { Dispatcher } from 'undici';
import { createEgress, EgressAudit } from '../src/egress/index.js';
import { pairTenant } from '../test/session/support/harness.js';
import { DelayRelay } from '../test/tunnel/support/delay-relay.js';
import { WORKER_ADDRESS } from '../test/tunnel/support/peer.js';
import { RoomServer, TEST_ROOM_CONFIG, testKeys } from '../test/tunnel/support/room.js';
import { connectionsOf, startStack } from '../test/tunnel/support/stack.js';
import { until } from '../test/tunnel/support/until.js';
import { roomCeiling } from './tunnel-ceiling.js';

const LARGE = 8 * 1024 * 1024;
const ROUNDS = 6;
const SMALL_REQUESTS = 300;
const FAILOVERS = 3;

const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
await room.start();
const standin = await startStandin();
const upserts: WAMessage[] = [];
const stack = await startStack({
  standin,
  room,
  keys,
  onSocket: (_tenant, sock) =>
    sock.ev.on('messages.upsert', ({ messages }) => upserts.push(...messages)),
});
const contact = await standin.control.createContact({ name: 'Bench Customer' });

async function mediaUrl(tenant: string, phone: string, bytes: Buffer): Promise<string> {
  const sent = await standin.control.sendFromContact(contact.phone, phone, {
    image: { data: bytes, mimetype: 'image/png' },
  });
  const message = await until(() => upserts.find((m) => m.key.id === sent.id), 'the media', 60_000);
  const url = message.message?.imageMessage?.url;
  if (!url) throw new Error(`no media URL for ${tenant}`);
  return url;
}

async function download(url: string, dispatcher: Dispatcher): Promise<number> {
  const response = await fetch(url, { dispatcher } as RequestInit);
  let length = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
    length += chunk.length;
  if (response.status !== 200) throw new Error(`download answered ${response.status}`);
  return length;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

// A tenant on the tunnel, and a direct egress to the same stand-in for comparison.
const TENANT = 'bench-tunnel';
const PHONE = '15550100701';
const peer = await stack.startPeer(TENANT);
await pairTenant(stack.harness, standin, TENANT, PHONE);
await until(
  () => (stack.service.status(TENANT)?.protected ? true : undefined),
  'the tenant protected',
  30_000,
);
const tunneled = stack.harness.manager.egress(TENANT)!;
const direct = createEgress({
  tenant: 'bench-direct',
  policy: 'direct',
  hostMap: standin.hostMap,
  ca: standin.caPem,
  production: false,
  audit: new EgressAudit(),
});
const large = await mediaUrl(TENANT, PHONE, Buffer.alloc(LARGE, 3));
const small = await mediaUrl(TENANT, PHONE, Buffer.alloc(1_024, 5));

const seconds = { tunnel: 0, direct: 0 };
await download(large, tunneled.dispatcher);
await download(large, direct.dispatcher);
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, egress] of [
    ['tunnel', tunneled],
    ['direct', direct],
  ] as const) {
    const started = performance.now();
    await download(large, egress.dispatcher);
    seconds[name] += (performance.now() - started) / 1000;
  }
}
const mb = (LARGE * ROUNDS) / 2 ** 20;
const ceiling = await roomCeiling(room.host, keys.keys, 'bench-ceiling', LARGE, ROUNDS);

const times = { tunnel: [] as number[], direct: [] as number[] };
for (let i = 0; i < SMALL_REQUESTS; i += 1) {
  for (const [name, egress] of [
    ['tunnel', tunneled],
    ['direct', direct],
  ] as const) {
    const started = performance.now();
    await download(small, egress.dispatcher);
    times[name].push(performance.now() - started);
  }
}
times.tunnel.sort((a, b) => a - b);
times.direct.sort((a, b) => a - b);
const tunnelStats = stack.service.stats(TENANT)!;
peer.stop();

/** From the peer's loss to the first frame of the direct login the product starts. */
async function failover(tenant: string, phone: string, lose: () => void): Promise<number> {
  const before = connectionsOf(await standin.control.records(), phone).length;
  const lostAt = Date.now();
  lose();
  const next = await until(
    async () =>
      connectionsOf(await standin.control.records(), phone)
        .slice(before)
        .find((c) => c.remoteAddress === WORKER_ADDRESS),
    'the direct connection',
    60_000,
  );
  return Date.parse(next.openedAt) - lostAt;
}

const closed: number[] = [];
const silent: number[] = [];
for (let i = 0; i < FAILOVERS; i += 1) {
  const tenant = `bench-failover-${i}`;
  const phone = `155501007${10 + i}`;
  const relay = await new DelayRelay({ host: '127.0.0.1', port: room.port }).listen();
  let tab = await stack.startPeer(tenant);
  await pairTenant(stack.harness, standin, tenant, phone);
  await until(
    () => (stack.service.status(tenant)?.routes.websocket === 'tunnel' ? true : undefined),
    'tunnel',
    30_000,
  );
  closed.push(await failover(tenant, phone, () => tab.stop()));
  tab = await stack.startPeer(tenant, { roomHost: relay.host });
  await until(
    () => (stack.service.status(tenant)?.routes.websocket === 'tunnel' ? true : undefined),
    'tunnel',
    30_000,
  );
  silent.push(await failover(tenant, phone, () => relay.cut()));
  tab.stop();
  await relay.close();
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const ms = (value: number) => `${value.toFixed(1)} ms`;
console.log(
  `tunnel (Node ${process.version}; wrangler dev room; Node peer on 127.0.0.2; stand-in)`,
);
console.log(
  `  download ${ROUNDS} x ${LARGE / 2 ** 20} MiB:  ` +
    `tunnel ${(mb / seconds.tunnel).toFixed(1)} MB/s` +
    `   direct ${(mb / seconds.direct).toFixed(1)} MB/s ` +
    `  bare room ceiling ${ceiling.toFixed(1)} MB/s`,
);
console.log(
  `  small request (1 KiB media), ${SMALL_REQUESTS} ` +
    `each:  tunnel p50 ${ms(percentile(times.tunnel, 50))}` +
    ` p99 ${ms(percentile(times.tunnel, 99))}   direct p50 ${ms(percentile(times.direct, 50))}` +
    ` p99 ${ms(percentile(times.direct, 99))}   added p50 ` +
    `${ms(percentile(times.tunnel, 50) - percentile(times.direct, 50))}` +
    ` p99 ${ms(percentile(times.tunnel, 99) - percentile(times.direct, 99))}`,
);
console.log(
  `  failover to the first direct frame, ${FAILOVERS} ` +
    `runs:  tab closed ${closed.map(ms).join(', ')}` +
    ` (median ${ms(median(closed))});  tab silent ` +
    `${silent.map(ms).join(', ')} (median ${ms(median(silent))},` +
    ` bounded by the room's ${TEST_ROOM_CONFIG.pingIntervalMs} ` +
    `ms pings x ${TEST_ROOM_CONFIG.goneAfterMissedPings} missed)`,
);
console.log(
  `  worker to room round trip p50 ${tunnelStats.link.rtt.p50Ms} ` +
    `ms; relayed ${tunnelStats.requestsSent} requests,` +
    ` ${(tunnelStats.bytesProxied / 2 ** 20).toFixed(1)} MiB; (MB/s here is MiB per second)`,
);

await direct.close();
await stack.close();
await standin.close();
await room.stop();
process.exit(0);
