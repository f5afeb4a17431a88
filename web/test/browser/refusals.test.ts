import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import { relayGet, requestHead } from '../support/worker.js';
import { snapshot } from './support/page.js';
import type { CdpTab } from './support/cdp.js';
import type { RoomWorker } from './support/room-worker.js';
import { joinTab } from './support/session.js';
import { FOREIGN_HOST, PAGE_ORIGIN, Stack, UNRESOLVABLE_HOST } from './support/stack.js';

let stack: Stack;
let worker: RoomWorker;
let tab: CdpTab;
/** Every URL the page asked Chromium's network for, as DevTools saw it. */
const requested: string[] = [];

beforeAll(async () => {
  stack = await Stack.start();
  const bound = PEER_DEFAULTS.reconnect.connectionTimeoutMs + PEER_DEFAULTS.handshakeTimeoutMs;
  const joined = await joinTab(stack, 'refusals', bound);
  worker = joined.worker;
  tab = joined.tab;
  await tab.recordRequests(requested);
});

afterAll(async () => {
  worker?.close();
  await stack?.stop();
});

async function standinRequestsSince(seq: number) {
  return (await stack.standin!.control.records(seq)).requests;
}

describe('a read CORS refuses, told apart from a network failure', () => {
  it('answers browser_cors for a host without an allow-origin, asking it once', async () => {
    const { lastSeq } = await stack.standin!.control.records();
    // WhatsApp's version file carries no CORS header, as a same-origin script.
    const answer = await relayGet(worker, {
      ...worker.ids(),
      url: 'https://web.whatsapp.com/sw.js',
    });

    expect(answer.reset).toEqual({
      code: 'browser_cors',
      message: 'web.whatsapp.com answered, but CORS did not let the page read the response',
    });
    const seen = (await standinRequestsSince(lastSeq)).map((r) => [r.method, r.path, r.status]);
    // The request once, then one credential-less no-cors GET of the origin's root.
    expect(seen).toEqual([
      ['GET', '/sw.js', 200],
      ['GET', '/', 404],
    ]);
  });

  it('answers browser_cors when the media host drops its wildcard allow-origin', async () => {
    await stack.standin!.control.setAccountFaults('*', { refuseCors: true });
    try {
      const answer = await relayGet(worker, {
        ...worker.ids(),
        url: 'https://mmg.whatsapp.net/v/t62.7119-24/none.enc?oh=x&oe=y',
      });
      expect(answer.reset?.code).toBe('browser_cors');
    } finally {
      await stack.standin!.control.clearAccountFaults('*');
    }
  });

  it('answers browser_network for a WhatsApp name that does not resolve', async () => {
    const answer = await relayGet(worker, {
      ...worker.ids(),
      url: `https://${UNRESOLVABLE_HOST}/mms/image/x`,
    });

    expect(answer.reset).toEqual({
      code: 'browser_network',
      message: `${UNRESOLVABLE_HOST} could not be reached from the page`,
    });
  });

  it('counts CORS refusals per host, and network failures apart', async () => {
    const { stats } = await snapshot(tab);
    expect(stats?.corsRefusals).toEqual({ 'web.whatsapp.com': 1, 'mmg.whatsapp.net': 1 });
    expect(stats?.streams.failed).toEqual({ browser_cors: 2, browser_network: 1 });
  });
});

describe('targets the page must never reach', () => {
  const refused = [
    ['a host outside WhatsApp', `https://${FOREIGN_HOST}/`],
    ['a loopback address', () => `https://127.0.0.1:${stack.trap!.port}/`],
    ['a private address', 'https://10.0.0.7/mms/image/x'],
    ['an IPv6 loopback', () => `https://[::1]:${stack.trap!.port}/`],
    ['plain http to WhatsApp', 'http://mmg.whatsapp.net/'],
    ['credentials in the URL', 'https://user:secret@mmg.whatsapp.net/'],
  ] as const;

  for (const [what, url] of refused) {
    it(`refuses ${what} with host_not_allowed, sending nothing`, async () => {
      const target = typeof url === 'function' ? url() : url;
      const { lastSeq } = await stack.standin!.control.records();
      const answer = await relayGet(worker, { ...worker.ids(), url: target });

      expect(answer.reset?.code).toBe('host_not_allowed');
      expect(answer.head).toBeNull();
      expect(await standinRequestsSince(lastSeq)).toEqual([]);
    });
  }

  it('refuses an upstream WebSocket to a host outside WhatsApp', async () => {
    const ids = worker.ids();
    worker.send({
      kind: 'ws-open',
      ...ids,
      body: { url: `wss://${FOREIGN_HOST}/ws/chat`, protocols: [], headers: [], deadlineMs: 5_000 },
    });
    const reset = await worker.next('reset', ids.streamId);
    expect(reset.body.code).toBe('host_not_allowed');
  });

  it('let no refused request leave the browser', async () => {
    expect(stack.trap!.connections).toBe(0);
    const refusedHosts = [FOREIGN_HOST, '127.0.0.1', '10.0.0.7', '[::1]', 'user:secret@'];
    expect(requested.filter((url) => refusedHosts.some((host) => url.includes(host)))).toEqual([]);
    // Everything that did leave was the page's own or a WhatsApp host over https.
    for (const url of requested) {
      expect(url.startsWith(PAGE_ORIGIN) || /^https:\/\/[^/]*whatsapp\.(net|com)\//.test(url)).toBe(
        true,
      );
    }
  });

  it('keeps serving after the refusals: a stream opened next still completes', async () => {
    const ids = worker.ids();
    worker.send(requestHead({ ...ids, url: 'https://mmg.whatsapp.net/' }, 0));
    worker.send({ kind: 'end', ...ids });
    const head = await worker.next('response-head', ids.streamId);
    expect(head.body.status).toBe(404);
  });
});
