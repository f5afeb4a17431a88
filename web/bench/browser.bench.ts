/**
 * The peer in Debian's Chromium beside the same library in Node, both
 * joined to a real room under `wrangler dev` (https/wss) and driven by one
 * protocol-speaking worker: relayed 5 MB downloads and uploads, the round
 * trip of a small relayed request, and the room's ping round trip to each.
 * Chromium reaches the stand-in over TLS (HTTP/2) by WhatsApp's real names;
 * Node reaches its plain development listener through the host map.
 */
import { randomBytes } from 'node:crypto';
import { untilStatus } from '../src/node/index.js';
import type { RelayPeer } from '../src/peer/index.js';
import { PEER_DEFAULTS } from '../src/peer/index.js';
import { credsFolder, directEgress, pairAndLogIn } from '../test/browser/support/baileys.js';
import { nodePeerFor } from '../test/browser/support/node-peer.js';
import type { RoomWorker } from '../test/browser/support/room-worker.js';
import { joinTab, uploadToken } from '../test/browser/support/session.js';
import { Stack } from '../test/browser/support/stack.js';
import { relayGet, relayUpload } from '../test/support/worker.js';

const FIVE_MB = 5 * 1024 * 1024;
const DOWNLOADS = 6;
const UPLOADS = 4;
const SMALL_REQUESTS = 200;
const JOIN_BOUND_MS =
  PEER_DEFAULTS.reconnect.connectionTimeoutMs + PEER_DEFAULTS.handshakeTimeoutMs;

interface Figures {
  downloadMBps: number;
  uploadMBps: number;
  p50: number;
  p99: number;
  roomRttMs: number | null;
  /** The runtime's own fetch, no relay: what the peer cannot beat. */
  ownDownloadMBps: number;
  ownP50: number;
}

/** Times the runtime's own fetch of the file and of a small answer, as `measureOwn` returns. */
type OwnFetch = (url: string) => Promise<number>;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

// The room pings every second here, so its round-trip percentiles fill within the run.
const stack = await Stack.start({
  standinPlain: true,
  gate: false,
  brokerConfig: { pingIntervalMs: 1_000 },
});
let creds: Awaited<ReturnType<typeof credsFolder>> | undefined;
let nodePeer: RelayPeer | undefined;
try {
  creds = await credsFolder();
  const egress = directEgress(stack.standin!, 'bench-direct');
  const { client } = await pairAndLogIn(stack.standin!, egress, creds.dir);
  const auth = (await client.sock.refreshMediaConn(false)).auth;
  await client.stop();
  await egress.close();

  const uploadUrl = (bytes: Uint8Array) => {
    const token = uploadToken(bytes);
    return `https://mmg.whatsapp.net/mms/document/${token}?${new URLSearchParams({ auth, token })}`;
  };

  async function measure(worker: RoomWorker, tenant: string, own: OwnFetch): Promise<Figures> {
    const octets: [string, string][] = [['Content-Type', 'application/octet-stream']];
    const chunkSize = worker.limits.maxFrameSize - 16;
    // Warm-up, and the file every download reads.
    const first = randomBytes(FIVE_MB);
    const stored = await relayUpload(
      worker,
      { ...worker.ids(), url: uploadUrl(first), headers: octets },
      first,
      { chunkSize },
    );
    if (stored.head?.status !== 200) throw new Error(`upload answered ${stored.head?.status}`);
    const { direct_path: path } = JSON.parse(new TextDecoder().decode(stored.body)) as {
      direct_path: string;
    };
    let started = performance.now();
    for (let i = 0; i < UPLOADS; i += 1) {
      const body = randomBytes(FIVE_MB);
      const answer = await relayUpload(
        worker,
        { ...worker.ids(), url: uploadUrl(body), headers: octets },
        body,
        { chunkSize },
      );
      if (answer.head?.status !== 200) throw new Error(`upload answered ${answer.head?.status}`);
    }
    const uploadMBps = (UPLOADS * 5) / ((performance.now() - started) / 1000);
    started = performance.now();
    for (let i = 0; i < DOWNLOADS; i += 1) {
      const answer = await relayGet(worker, {
        ...worker.ids(),
        url: `https://mmg.whatsapp.net${path}`,
      });
      if (answer.body.byteLength !== FIVE_MB) throw new Error('short download');
    }
    const downloadMBps = (DOWNLOADS * 5) / ((performance.now() - started) / 1000);
    const samples: number[] = [];
    for (let i = 0; i < SMALL_REQUESTS; i += 1) {
      const t = performance.now();
      await relayGet(worker, { ...worker.ids(), url: 'https://mmg.whatsapp.net/' });
      samples.push(performance.now() - t);
    }
    started = performance.now();
    for (let i = 0; i < DOWNLOADS; i += 1) await own(`https://mmg.whatsapp.net${path}`);
    const ownDownloadMBps = (DOWNLOADS * 5) / ((performance.now() - started) / 1000);
    const ownSamples: number[] = [];
    for (let i = 0; i < SMALL_REQUESTS / 4; i += 1) {
      ownSamples.push(await own('https://mmg.whatsapp.net/'));
    }
    const room = await stack.room.inspect(tenant);
    return {
      downloadMBps,
      uploadMBps,
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      roomRttMs: room.stats.rttP50Ms ?? null,
      ownDownloadMBps,
      ownP50: percentile(ownSamples, 50),
    };
  }

  const browser = await joinTab(stack, 'bench-chromium', JOIN_BOUND_MS);
  const pageFetch: OwnFetch = (url) =>
    browser.tab.evaluate<number>(
      `(async () => { const t = performance.now(); ` +
        `const r = await fetch(${JSON.stringify(url)}, ` +
        `{ credentials: 'omit', cache: 'no-store' }); ` +
        `await r.arrayBuffer(); return performance.now() - t; })()`,
    );
  const chromium = await measure(browser.worker, browser.tenant, pageFetch);
  browser.worker.close();

  const nodeTenant = stack.tenant('bench-node');
  const nodeWorker = await stack.worker(nodeTenant);
  nodePeer = nodePeerFor(stack, nodeTenant);
  await untilStatus(nodePeer, 'connected');
  await nodeWorker.untilPresence(
    'the Node peer as primary',
    (p) => p.primary !== null,
    JOIN_BOUND_MS,
  );
  const plain = stack.standin!.plain!.http;
  const nodeFetch: OwnFetch = async (url) => {
    const t = performance.now();
    const target = new URL(url);
    const response = await fetch(`${plain}${target.pathname}${target.search}`, {
      headers: { host: target.host },
    });
    await response.arrayBuffer();
    return performance.now() - t;
  };
  const node = await measure(nodeWorker, nodeTenant, nodeFetch);
  nodeWorker.close();

  const cell = (value: number | null, digits: number) =>
    (value ?? NaN).toFixed(digits).padStart(10);
  const row = (name: string, f: Figures) =>
    name.padEnd(9) +
    [
      cell(f.downloadMBps, 1),
      cell(f.uploadMBps, 1),
      cell(f.p50, 2),
      cell(f.p99, 2),
      cell(f.roomRttMs, 1),
      cell(f.ownDownloadMBps, 1),
      cell(f.ownP50, 2),
    ].join('');
  console.log(
    `\nrelayed through a room under wrangler dev: ${DOWNLOADS} x 5 MB down, ` +
      `${UPLOADS} x 5 MB up (streamed), ${SMALL_REQUESTS} small requests; ` +
      `"own" is the runtime's own fetch of the same URLs, no relay`,
  );
  console.log('peer      down MB/s   up MB/s  small p50  small p99 room ping  own down  own p50');
  console.log(row('chromium', chromium));
  console.log(row('node', node));
  console.log("(times in ms; room ping is the room's p50 round trip to the peer)");
} finally {
  nodePeer?.stop();
  await stack.stop();
  await creds?.remove();
}
