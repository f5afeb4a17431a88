import https from 'node:https';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../support/egress-fixture.js';
import { payload, sha256 } from '../support/payload.js';
import { BOUNDS, relayFixture, untilTunnelReady } from './support/fixture.js';
import type { RelayFixture } from './support/fixture.js';
import { startMediaUpstream } from './support/media-upstream.js';
import type { MediaUpstream } from './support/media-upstream.js';
import { PEER_ADDRESS, startTestPeer, upstreamDevMap, WORKER_ADDRESS } from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';

const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
let upstream: MediaUpstream;
let fixture: RelayFixture;
let peer: RelayPeer;
let tenantSeq = 0;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startMediaUpstream().then((u) => (upstream = u))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await room.stop();
  await upstream.close();
});

async function tunnelUp(): Promise<void> {
  const tenant = `relay-http-${++tenantSeq}`;
  fixture = relayFixture({
    roomHost: room.host,
    keys: keys.keys,
    tenant,
    hostMap: { 'web.whatsapp.com': upstream.address, '*.whatsapp.net': upstream.address },
    ca: upstream.ca,
  });
  peer = startTestPeer({
    roomHost: room.host,
    tenant,
    keys: keys.keys,
    devHostMap: upstreamDevMap(upstream.origin),
    ca: upstream.ca,
  });
  await untilTunnelReady(fixture.egress, BOUNDS.peerJoinMs, 'upload');
}

afterEach(async () => {
  peer?.stop();
  await fixture?.close();
});

function fetchThrough(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`https://mmg.whatsapp.net${path}`, {
    ...init,
    dispatcher: fixture.egress.dispatcher,
  } as RequestInit);
}

/** A POST the way Baileys uploads: `https.request` through the egress agent, length declared. */
function uploadThrough(path: string, body: Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: 'mmg.whatsapp.net',
        path,
        method: 'POST',
        agent: fixture.egress.agent,
        headers: {
          'content-type': 'application/octet-stream',
          origin: 'https://web.whatsapp.com',
          'content-length': body.length,
        },
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function seenFor(path: string) {
  return upstream.seen.filter((entry) => entry.path === path);
}

describe('relayed HTTP exchanges', () => {
  it(
    'downloads 10 MB through the peer byte for ' + 'byte, seen at the upstream from the restaurant',
    async () => {
      await tunnelUp();
      const response = await fetchThrough('/blob/10485760');
      const body = Buffer.from(await response.arrayBuffer());

      expect(response.status).toBe(200);
      expect(body.length).toBe(10_485_760);
      expect(sha256(body)).toBe(sha256(payload(10_485_760)));
      expect(seenFor('/blob/10485760').map((entry) => entry.remoteAddress)).toEqual([PEER_ADDRESS]);
      expect(fixture.service.stats(fixture.egress.tenant)?.routes.tunnel).toMatchObject({
        requests: 1,
        succeeded: 1,
        bytesReceived: 10_485_760,
      });
    },
  );

  it(
    'uploads 10 MB through the peer byte for ' + 'byte, with the page origin the upstream sees',
    async () => {
      await tunnelUp();
      const body = payload(10 * 1024 * 1024, 'upload');
      const answer = await uploadThrough('/mms/image/upload-10mb', body);

      expect(answer).toEqual({
        status: 200,
        json: { length: 10_485_760, sha256: sha256(body) },
      });
      const seen = seenFor('/mms/image/upload-10mb');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        remoteAddress: PEER_ADDRESS,
        origin: 'https://orders.restaurant.test',
      });
    },
  );

  it(
    'sends a request held before its headers ' + 'direct when the peer goes, and it completes',
    async () => {
      await tunnelUp();
      const pending = fetchThrough('/hold');
      await upstream.arrived('/hold');
      peer.stop();
      // The room resets the stream when the peer leaves; the GET is replay-safe
      // and nothing of its answer came, so it goes direct, and is held there too.
      await upstream.arrived('/hold', 2);
      upstream.release();
      const response = await pending;
      const body = Buffer.from(await response.arrayBuffer());

      expect(response.status).toBe(200);
      expect(sha256(body)).toBe(sha256(payload(16, 'held')));
      expect(seenFor('/hold').map((entry) => entry.remoteAddress)).toEqual([
        PEER_ADDRESS,
        WORKER_ADDRESS,
      ]);
      const { routes } = fixture.service.stats(fixture.egress.tenant)!;
      expect(routes.tunnel.fallbacks).toBe(1);
      expect(routes.direct.succeeded).toBe(1);
    },
  );

  it(
    'fails a download whose tunnel goes after its ' +
      'headers with a code, and never sends it again',
    async () => {
      await tunnelUp();
      const response = await fetchThrough('/stall/65536');
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      peer.stop();
      let failure: unknown = null;
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch (error) {
        failure = error;
      }

      expect(codeOf(failure)).toBe('peer_gone');
      expect(seenFor('/stall/65536').map((entry) => entry.remoteAddress)).toEqual([PEER_ADDRESS]);
      upstream.release();
    },
  );

  it(
    'fails a download the upstream cuts after ' + "its headers with the peer's code, sent once",
    async () => {
      await tunnelUp();
      const response = await fetchThrough('/cut/65536');
      expect(response.status).toBe(200);
      const failure = await response.arrayBuffer().then(
        () => null,
        (error: unknown) => error,
      );

      console.log(`[cut after headers] failed with ${codeOf(failure)}`);
      expect(codeOf(failure)).toBe('browser_network');
      expect(seenFor('/cut/65536')).toHaveLength(1);
    },
  );

  it(
    'sends a redirect the browser may not ' + 'follow direct, where the client follows it',
    async () => {
      await tunnelUp();
      const response = await fetchThrough('/redirect');
      const body = Buffer.from(await response.arrayBuffer());

      expect(response.status).toBe(200);
      expect(sha256(body)).toBe(sha256(payload(16)));
      expect(seenFor('/redirect').map((entry) => entry.remoteAddress)).toEqual([
        PEER_ADDRESS,
        WORKER_ADDRESS,
      ]);
    },
  );
});
