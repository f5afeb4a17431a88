import { afterEach, describe, expect, it } from 'vitest';
import { request as undiciRequest } from 'undici';
import { exchangeBudgetMs } from '../../src/egress/deadline.js';
import { codeOf, egressFixture, recordsOf, TENANT } from '../support/egress-fixture.js';
import type { EgressFixture } from '../support/egress-fixture.js';
import { payload, sha256 } from '../support/payload.js';
import { settledValue } from '../support/settle.js';

let fixture: EgressFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function start(options: Parameters<typeof egressFixture>[0] = {}): Promise<EgressFixture> {
  fixture = await egressFixture(options);
  return fixture;
}

describe('the dispatcher face with Node 20’s global fetch (media downloads)', () => {
  it('downloads 5 MB byte-exact from the host-mapped media host', async () => {
    const { egress, upstream } = await start();
    const response = await fetch('https://mmg.whatsapp.net/blob/5242880?auth=AUTH&token=T', {
      dispatcher: egress.dispatcher,
      headers: { Origin: 'https://web.whatsapp.com' },
    } as RequestInit);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('5242880');
    expect(body.length).toBe(5_242_880);
    expect(sha256(body)).toBe('9d4d11d57b969707c5d2c981f2fdcd00fd8d67b82b91b41f72931eb0ca75aa75');
    expect(upstream.requests[0]).toMatchObject({
      method: 'GET',
      path: '/blob/5242880?auth=AUTH&token=T',
      servername: 'mmg.whatsapp.net',
      headers: { host: 'mmg.whatsapp.net', origin: 'https://web.whatsapp.com' },
    });
  });

  it('records the connection once, as the tenant’s direct download', async () => {
    const { egress, audit } = await start({ policy: 'prefer-tunnel' });
    const response = await fetch('https://mmg.whatsapp.net/blob/1000', {
      dispatcher: egress.dispatcher,
    } as RequestInit);
    await response.arrayBuffer();

    const records = recordsOf(audit);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      tenant: TENANT,
      source: 'dispatcher',
      host: 'mmg.whatsapp.net',
      port: 443,
      leg: 'download',
      route: 'direct',
      reason: 'no_peer',
      policy: 'prefer-tunnel',
      peer: 'no_peer',
      leak: false,
    });
  });

  it('ends a stalled body at the exchange deadline with upstream_timeout', async () => {
    const deadlines = { exchangeBaseMs: 400, minBytesPerSecond: 100 * 1024 * 1024 };
    const { egress, upstream } = await start({ deadlines });
    upstream.handle('/stall', (_request, response) => {
      response.writeHead(200, { 'content-length': 5 * 1024 * 1024 });
      response.write(payload(64 * 1024));
    });
    const budget = exchangeBudgetMs(5 * 1024 * 1024, deadlines);
    const started = Date.now();
    const response = await fetch('https://mmg.whatsapp.net/stall', {
      dispatcher: egress.dispatcher,
    } as RequestInit);
    const reader = response.body!.getReader();
    let received = 0;
    let failure: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
    } catch (error) {
      failure = error;
    }
    const elapsed = Date.now() - started;
    console.log(`stalled body failed after ${elapsed} ms; budget from configuration ${budget} ms`);

    expect(codeOf(failure)).toBe('upstream_timeout');
    expect(received).toBe(64 * 1024);
    expect(elapsed).toBeGreaterThanOrEqual(budget);
  });

  it('holds the upstream back while the body is not read', async () => {
    const { egress, upstream } = await start();
    const total = 128 * 1024 * 1024;
    let written = 0;
    let upstreamClosed = false;
    upstream.handle('/endless', (_request, response) => {
      response.writeHead(200, { 'content-length': total });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      response.on('close', () => (upstreamClosed = true));
      pump();
    });
    const response = await fetch('https://mmg.whatsapp.net/endless', {
      dispatcher: egress.dispatcher,
    } as RequestInit);
    const reader = response.body!.getReader();
    await reader.read();
    const heldAt = await settledValue(() => written);
    console.log(`download held at ${(heldAt / 2 ** 20).toFixed(1)} MiB of 128 MiB while unread`);

    expect(heldAt).toBeLessThan(total / 4);
    await reader.cancel();
    await settledValue(() => (upstreamClosed ? 1 : 0));
    expect(upstreamClosed).toBe(true);
  });

  it('serves undici’s own request API with the same dispatcher', async () => {
    const { egress } = await start();
    const { statusCode, body } = await undiciRequest('https://mmg.whatsapp.net/blob/100', {
      dispatcher: egress.dispatcher,
    });

    expect(statusCode).toBe(200);
    expect(sha256(Buffer.from(await body.arrayBuffer()))).toBe(
      '1c77c83b06f93d7f88b44d70a92b4ef8fc94dbc57b507ada6c4c18379fd8d6d2',
    );
  });

  it('streams a request body of unknown length (an upload through fetch)', async () => {
    const { egress } = await start();
    const chunks = [payload(300_000, 'a'), payload(700_000, 'b')];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const response = await fetch('https://mmg.whatsapp.net/mms/document/x', {
      dispatcher: egress.dispatcher,
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);

    expect(await response.json()).toEqual({
      method: 'POST',
      path: '/mms/document/x',
      length: 1_000_000,
      sha256: '19fd87a4a71e3d994b67f5b4b18d7666104816b80fa25b10cf2ac3ddfc402cc5',
    });
  });
});
