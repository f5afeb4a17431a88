import { parseBrokerConfig, parseTokenKeys } from '../src/core/config.js';
import { randomBytes } from '../test/support/bodies.js';
import { RoomClient } from '../test/support/client.js';
import { healthyPeer, inspect, newTenant } from '../test/support/scenario.js';
import type { BehaviourTarget } from '../test/support/target.js';
import { freshTokenKeys } from '../test/support/keys.js';
import { openNodeSocket } from '../test/dev/node-socket.js';
import { DevServer } from '../test/dev/process.js';
import { startDirectServer } from './direct.js';
import {
  bytesArriving,
  chunksOf,
  echoRoundTrips,
  firstMessage,
  latencyOf,
  openRaw,
  timeBlast,
  tunnelRoundTrips,
  tunnelTransfer,
} from './measure.js';
import type { Latency } from './measure.js';
import { scaledConfig, upkeepPerHour } from './upkeep.js';

const BODY_BYTES = 10_000_000;
const EXCHANGES = 1_000;
const SMALL = 64;
const RUNS = 5;
const SCALE = 10;
const WINDOW_MS = 30_000;
const BUSY_PER_SECOND = 20;

const mbPerSecond = (ms: number) => BODY_BYTES / 1e6 / (ms / 1_000);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const signed = (value: number) => `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(3)}`;
const line = (label: string, text: string) => console.log(`  ${label.padEnd(40)} ${text}`);
const latencyText = ({ p50, p99 }: Latency) => `p50 ${fixed(p50, 3)} ms, p99 ${fixed(p99, 3)} ms`;

async function main(): Promise<void> {
  const tokenKeys = freshTokenKeys();
  const brokerConfig = JSON.stringify(scaledConfig(SCALE));
  const server = new DevServer({
    runtime: 'wrangler',
    wranglerConfig: 'broker/bench/wrangler.bench.toml',
    vars: { TOKEN_KEYS: tokenKeys, BROKER_CONFIG: brokerConfig },
    startTimeoutMs: 90_000,
  });
  const direct = await startDirectServer();
  try {
    const startMs = await server.start();
    const target: BehaviourTarget = {
      name: 'wrangler dev',
      config: parseBrokerConfig(brokerConfig),
      keys: parseTokenKeys(tokenKeys),
      open: (path) => openNodeSocket(`ws://127.0.0.1:${server.port}${path}`),
      fetch: (path, init) => fetch(server.origin + path, init),
      restart: () => server.restart(),
    };
    console.log(
      `Broker benchmark: wrangler dev (started in ${startMs} ms), Node clients on loopback, ` +
        `${RUNS} runs per figure (median), 1 MB = 10^6 bytes`,
    );
    const body = randomBytes(BODY_BYTES);
    const chunks = chunksOf(body);

    console.log(`\nRelay throughput, a ${BODY_BYTES / 1e6} MB body in ${chunks.length} frames`);
    const directMs: number[] = [];
    const bareMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const sink = await openRaw(`${direct.origin}/sink?bytes=${BODY_BYTES}`);
      directMs.push(await timeBlast(sink, chunks, firstMessage(sink)));
      sink.close();
      const room = newTenant('bare');
      const a = await openRaw(`ws://127.0.0.1:${server.port}/parties/bare-relay/${room}?side=a`);
      const b = await openRaw(`ws://127.0.0.1:${server.port}/parties/bare-relay/${room}?side=b`);
      bareMs.push(await timeBlast(a, chunks, bytesArriving(b, BODY_BYTES)));
      a.close();
      b.close();
    }
    line('direct loopback (Node ws server)', `${fixed(mbPerSecond(median(directMs)))} MB/s`);
    line('bare relay room, no protocol (ceiling)', `${fixed(mbPerSecond(median(bareMs)))} MB/s`);

    const tenant = newTenant('bench');
    const worker = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
    const peer = await healthyPeer(target, worker, { tenant, primary: true });
    const messages = async () => (await inspect(target, tenant)).stats.messagesIn;
    const transfers: Record<'upload' | 'download', { ms: number[]; messages: number[] }> = {
      upload: { ms: [], messages: [] },
      download: { ms: [], messages: [] },
    };
    let streamId = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const direction of ['upload', 'download'] as const) {
        const before = await messages();
        transfers[direction].ms.push(
          await tunnelTransfer(worker, peer, ++streamId, body, direction),
        );
        transfers[direction].messages.push((await messages()) - before);
      }
    }
    const bare = mbPerSecond(median(bareMs));
    const directRate = mbPerSecond(median(directMs));
    for (const direction of ['upload', 'download'] as const) {
      const rate = mbPerSecond(median(transfers[direction].ms));
      line(
        `tunnel room, ${direction === 'upload' ? 'worker to peer' : 'peer to worker'}`,
        `${fixed(rate)} MB/s (${fixed((rate / bare) * 100, 0)}% of the bare relay, ` +
          `${fixed((rate / directRate) * 100, 0)}% of direct)`,
      );
    }

    console.log(`\nAdded latency, ${EXCHANGES} round trips of ${SMALL}-byte messages`);
    const echo = await openRaw(`${direct.origin}/echo`);
    const directLatency = latencyOf(await echoRoundTrips(echo, EXCHANGES, SMALL));
    echo.close();
    const room = newTenant('bare');
    const a = await openRaw(`ws://127.0.0.1:${server.port}/parties/bare-relay/${room}?side=a`);
    const b = await openRaw(`ws://127.0.0.1:${server.port}/parties/bare-relay/${room}?side=b`);
    b.on('message', (data: Buffer) => b.send(data));
    const bareLatency = latencyOf(await echoRoundTrips(a, EXCHANGES, SMALL));
    a.close();
    b.close();
    const before = await messages();
    const tunnelLatency = latencyOf(
      await tunnelRoundTrips(worker, peer, ++streamId, EXCHANGES, SMALL),
    );
    const latencyMessages = (await messages()) - before;
    line('direct loopback (baseline)', latencyText(directLatency));
    line('bare relay room', latencyText(bareLatency));
    line('tunnel room, WebSocket stream', latencyText(tunnelLatency));
    line(
      'added by the tunnel over direct',
      `p50 ${signed(tunnelLatency.p50 - directLatency.p50)} ms, ` +
        `p99 ${signed(tunnelLatency.p99 - directLatency.p99)} ms`,
    );
    line(
      'added by the protocol over the bare relay',
      `p50 ${signed(tunnelLatency.p50 - bareLatency.p50)} ms, ` +
        `p99 ${signed(tunnelLatency.p99 - bareLatency.p99)} ms`,
    );

    console.log('\nIncoming WebSocket messages per MB relayed (the edge bills 20 as one request)');
    for (const direction of ['upload', 'download'] as const) {
      const perMb = median(transfers[direction].messages) / (BODY_BYTES / 1e6);
      line(
        `${direction === 'upload' ? 'worker to peer' : 'peer to worker'} body`,
        `${fixed(perMb)} messages/MB (${fixed(perMb / 20, 3)} billed requests/MB)`,
      );
    }
    line(
      `small exchanges (${SMALL} B each way)`,
      `${fixed(latencyMessages / EXCHANGES)} messages per round trip`,
    );
    worker.close();
    peer.close();

    console.log(
      `\nAlarm wake-ups and storage writes per tenant-hour at the default intervals ` +
        `(sampled with every interval divided by ${SCALE}; ${WINDOW_MS / 1_000} s windows ` +
        `stand for ${(WINDOW_MS * SCALE) / 60_000} min)`,
    );
    for (const activity of ['idle, no peer', 'idle, one peer', 'busy, one peer'] as const) {
      const hour = await upkeepPerHour(target, activity, SCALE, WINDOW_MS, BUSY_PER_SECOND);
      const label =
        activity === 'busy, one peer' ? `${activity}, ${BUSY_PER_SECOND} exchanges/s` : activity;
      // Idle messages are pongs, on the scaled schedule; busy ones follow the traffic instead.
      const pongs =
        activity === 'busy, one peer' ? '' : `, ${fixed(hour.messagesIn, 0)} incoming messages`;
      line(
        label,
        `${fixed(hour.alarmWakeups, 0)} alarm wake-ups, ${fixed(hour.alarmSets, 0)} alarm sets, ` +
          `${fixed(hour.storageWrites, 0)} storage key writes${pongs}`,
      );
    }
  } finally {
    await direct.close();
    await server.dispose();
  }
}

await main();
