import { once } from 'node:events';
import https from 'node:https';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { codeOf, egressFixture } from '../support/egress-fixture.js';
import type { EgressFixture } from '../support/egress-fixture.js';
import { waitFor } from '../support/settle.js';

let fixture: EgressFixture;

beforeEach(async () => {
  fixture = await egressFixture();
});

afterEach(async () => {
  await fixture.close();
});

describe('closing an egress', () => {
  it('ends its open WebSocket and the upstream connection behind it', async () => {
    const ws = new WebSocket('wss://web.whatsapp.com/ws/chat', { agent: fixture.egress.agent });
    await once(ws, 'open');
    const closing = once(ws, 'close');
    await fixture.egress.close();
    const [code] = (await closing) as [number];
    const upgrade = fixture.upstream.upgrades[0]!;
    const upstreamSaw = await waitFor(() => upgrade.closed, 'the upstream to see the close');

    expect(code).toBe(1006);
    expect(upstreamSaw.code).toBe(1006);
    expect(fixture.egress.closed).toBe(true);
  });

  it('fails later fetches with egress_closed', async () => {
    await fixture.egress.close();
    const failure = await fetch('https://mmg.whatsapp.net/blob/10', {
      dispatcher: fixture.egress.dispatcher,
    } as RequestInit).catch((error: unknown) => error);

    expect(codeOf(failure)).toBe('egress_closed');
    expect(fixture.upstream.connections).toEqual([]);
  });

  it('fails later requests through the agent with egress_closed', async () => {
    await fixture.egress.close();
    const request = https.request({ hostname: 'mmg.whatsapp.net', agent: fixture.egress.agent });
    request.end();
    const [error] = await once(request, 'error');

    expect(codeOf(error)).toBe('egress_closed');
    expect(fixture.upstream.connections).toEqual([]);
  });

  it('may be closed twice', async () => {
    await fixture.egress.close();
    await expect(fixture.egress.close()).resolves.toBeUndefined();
  });
});
