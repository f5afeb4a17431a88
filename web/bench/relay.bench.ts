/**
 * The peer library's own ceiling on loopback: a Node peer relaying through
 * a room of the bench's own (no edge runtime in between) to a local
 * upstream. Prints relayed throughput both ways and the latency a relayed
 * small request adds over a direct one.
 */
import { untilStatus } from '../src/node/index.js';
import { TestRoom } from '../test/support/room.js';
import { TENANT, testPeer } from '../test/support/peer.js';
import { FIVE_MB, patternBytes, TestUpstream } from '../test/support/upstream.js';
import { relayGet, relayUpload } from '../test/support/worker.js';

const DOWNLOADS = 10;
const UPLOADS = 4;
const SMALL_REQUESTS = 300;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function describe(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return (
    `${label}: p50 ${percentile(sorted, 50).toFixed(2)} ` +
    `ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`
  );
}

const room = await TestRoom.start({ tenant: TENANT });
const upstream = await TestUpstream.start();
const peer = testPeer(room, upstream);
peer.start();
await untilStatus(peer, 'connected');
const socket = await room.socket(0);
let streamId = 0;
const next = () => ({ streamId: ++streamId, connectionId: 1 });

// One of each first, so the figures are not the JIT's warm-up.
await relayGet(socket, { ...next(), url: 'https://mmg.whatsapp.net/media/5mb' });
await relayUpload(
  socket,
  { ...next(), url: 'https://mmg.whatsapp.net/upload' },
  patternBytes(FIVE_MB, 2),
);

let started = performance.now();
for (let i = 0; i < DOWNLOADS; i += 1) {
  const answer = await relayGet(socket, { ...next(), url: 'https://mmg.whatsapp.net/media/5mb' });
  if (answer.body.byteLength !== FIVE_MB) throw new Error('short download');
}
let seconds = (performance.now() - started) / 1000;
console.log(
  `relayed download: ${((DOWNLOADS * 5) / seconds).toFixed(1)} MB/s (${DOWNLOADS} x 5 MB)`,
);

const body = patternBytes(FIVE_MB, 1);
started = performance.now();
for (let i = 0; i < UPLOADS; i += 1) {
  await relayUpload(socket, { ...next(), url: 'https://mmg.whatsapp.net/upload' }, body, {
    chunkSize: 256 * 1024 - 16,
  });
}
seconds = (performance.now() - started) / 1000;
console.log(
  `relayed upload (streamed): ${((UPLOADS * 5) / seconds).toFixed(1)} MB/s (${UPLOADS} x 5 MB)`,
);

const relayed: number[] = [];
const direct: number[] = [];
for (let i = 0; i < SMALL_REQUESTS; i += 1) {
  let t = performance.now();
  await relayGet(socket, { ...next(), url: 'https://mmg.whatsapp.net/headers' });
  relayed.push(performance.now() - t);
  t = performance.now();
  const response = await fetch(`${upstream.origin}/headers`);
  await response.arrayBuffer();
  direct.push(performance.now() - t);
}
console.log(describe(`small request relayed (${SMALL_REQUESTS})`, relayed));
console.log(describe(`small request direct (${SMALL_REQUESTS})`, direct));
console.log(`dropped frames: ${peer.stats().dropped.total}`);

peer.stop();
await room.close();
await upstream.close();
