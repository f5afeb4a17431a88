import { once } from 'node:events';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { codeOf, egressFixture, recordsOf, TENANT } from '../support/egress-fixture.js';
import type { EgressFixture } from '../support/egress-fixture.js';

let fixture: EgressFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('the tunnel-only policy, with no tunnel to carry traffic', () => {
  it('refuses a download with no_peer and opens nothing', async () => {
    fixture = await egressFixture({ policy: 'tunnel-only' });
    const failure = await fetch('https://mmg.whatsapp.net/blob/10', {
      dispatcher: fixture.egress.dispatcher,
    } as RequestInit).catch((error: unknown) => error);

    expect(codeOf(failure)).toBe('no_peer');
    expect(fixture.upstream.connections).toEqual([]);
    expect(recordsOf(fixture.audit)).toEqual([
      expect.objectContaining({
        source: 'dispatcher',
        host: 'mmg.whatsapp.net',
        leg: 'download',
        route: null,
        refused: 'no_peer',
        reason: 'no_peer',
        policy: 'tunnel-only',
      }),
    ]);
  });

  it('refuses an upload with no_peer', async () => {
    fixture = await egressFixture({ policy: 'tunnel-only' });
    const request = https.request({
      hostname: 'mmg.whatsapp.net',
      path: '/mms/image/abc?token=abc',
      method: 'POST',
      agent: fixture.egress.agent,
    });
    request.end('bytes');
    const [error] = await once(request, 'error');

    expect(codeOf(error)).toBe('no_peer');
    expect(fixture.upstream.connections).toEqual([]);
  });

  it('refuses the WebSocket with no_peer at once', async () => {
    fixture = await egressFixture({ policy: 'tunnel-only' });
    const ws = new WebSocket('wss://web.whatsapp.com/ws/chat', {
      origin: 'https://web.whatsapp.com',
      agent: fixture.egress.agent,
    });
    const [error] = await once(ws, 'error');

    expect(codeOf(error)).toBe('no_peer');
    expect((error as Error).message).toBe(
      'no_peer: https://web.whatsapp.com/ws/chat refused under policy tunnel-only (no_peer)',
    );
    expect(fixture.upstream.upgrades).toEqual([]);
  });

  it('still sends traffic for other hosts direct, which a peer never carries', async () => {
    fixture = await egressFixture({ policy: 'tunnel-only' });
    const response = await fetch('https://example.org/blob/10', {
      dispatcher: fixture.egress.dispatcher,
    } as RequestInit);
    await response.arrayBuffer();

    expect(response.status).toBe(200);
    expect(recordsOf(fixture.audit)).toEqual([
      expect.objectContaining({ host: 'example.org', route: 'direct', reason: 'not_whatsapp' }),
    ]);
  });

  it('ends an open direct WebSocket when the policy changes to tunnel-only', async () => {
    fixture = await egressFixture({ policy: 'prefer-tunnel' });
    const ws = new WebSocket('wss://web.whatsapp.com/ws/chat', { agent: fixture.egress.agent });
    await once(ws, 'open');
    fixture.egress.setPolicy('tunnel-only');
    // Once a socket is open, `ws` turns a connection error into a close
    // with 1006 and emits no 'error'; the egress's log names the code.
    const [code] = (await once(ws, 'close')) as [number];

    expect(code).toBe(1006);
    expect(fixture.egress.policy).toBe('tunnel-only');
    expect(fixture.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ code: 'no_peer', leg: 'websocket', route: 'direct' }),
      }),
    );
    expect(fixture.logger.lines).toContainEqual({
      level: 'info',
      fields: { tenant: TENANT, from: 'prefer-tunnel', to: 'tunnel-only' },
      message: 'egress policy changed',
    });
  });

  it('goes direct again once the policy allows it', async () => {
    fixture = await egressFixture({ policy: 'tunnel-only' });
    fixture.egress.policy = 'prefer-tunnel';
    const response = await fetch('https://mmg.whatsapp.net/blob/10', {
      dispatcher: fixture.egress.dispatcher,
    } as RequestInit);
    await response.arrayBuffer();

    expect(response.status).toBe(200);
    expect(recordsOf(fixture.audit).at(-1)).toMatchObject({ route: 'direct', reason: 'no_peer' });
  });

  it('refuses an unknown policy, naming it', async () => {
    fixture = await egressFixture();

    expect(() => fixture!.egress.setPolicy('tunnel-first' as never)).toThrow(
      'config_invalid: policy: unknown policy "tunnel-first"; ' +
        'expected one of prefer-tunnel, tunnel-only, direct',
    );
  });
});
