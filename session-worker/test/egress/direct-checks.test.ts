import { once } from 'node:events';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEgress, EgressAudit } from '../../src/egress/index.js';
import type { EgressOptions, TenantEgress } from '../../src/egress/index.js';
import { codeOf } from '../support/egress-fixture.js';
import { startUpstream } from '../support/upstream.js';
import type { TestUpstream } from '../support/upstream.js';

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function upstreamFor(names?: string[]): Promise<TestUpstream> {
  const upstream = await startUpstream(names);
  closers.push(() => upstream.close());
  return upstream;
}

function egressWith(options: Partial<EgressOptions>): { egress: TenantEgress; audit: EgressAudit } {
  const audit = new EgressAudit();
  const egress = createEgress({
    tenant: 'pizza-roma',
    policy: 'direct',
    production: false,
    audit,
    ...options,
  });
  closers.push(() => egress.close());
  return { egress, audit };
}

async function fetchFailure(egress: TenantEgress, url: string): Promise<unknown> {
  return fetch(url, { dispatcher: egress.dispatcher } as RequestInit).then(
    () => undefined,
    (error: unknown) => error,
  );
}

function causeOf(error: unknown): Error & { code?: string; context?: Record<string, unknown> } {
  let current = error as Error;
  while (current.cause instanceof Error && !(current as { context?: unknown }).context) {
    current = current.cause;
  }
  return current as Error & { code?: string; context?: Record<string, unknown> };
}

describe('the direct route checks what it connects to', () => {
  it('refuses a certificate from an authority it was not told to trust', async () => {
    const upstream = await upstreamFor();
    const { egress, audit } = egressWith({ hostMap: { '*.whatsapp.net': upstream.address } });
    const failure = causeOf(await fetchFailure(egress, 'https://mmg.whatsapp.net/blob/10'));

    expect(failure.code).toBe('upstream_unreachable');
    expect(failure.context).toMatchObject({
      host: 'mmg.whatsapp.net',
      reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(upstream.requests).toEqual([]);
    expect(audit.tenant('pizza-roma')).toMatchObject({ connections: 1, failed: 1 });
  });

  it('checks the certificate against the real name, not the mapped address', async () => {
    const upstream = await upstreamFor(['example.org', '127.0.0.1']);
    const { egress } = egressWith({
      hostMap: { 'web.whatsapp.com': upstream.address },
      ca: upstream.ca,
    });
    const ws = new WebSocket('wss://web.whatsapp.com/ws/chat', { agent: egress.agent });
    const [error] = await once(ws, 'error');

    expect(codeOf(error)).toBe('upstream_unreachable');
    expect((error as { context?: unknown }).context).toMatchObject({
      reason: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(upstream.upgrades).toEqual([]);
  });

  it('refuses an address literal on the loopback network', async () => {
    const upstream = await upstreamFor();
    const { egress } = egressWith({ ca: upstream.ca });
    const failure = causeOf(await fetchFailure(egress, `https://127.0.0.1:${upstream.port}/`));

    expect(failure.code).toBe('host_not_allowed');
    expect(failure.message).toBe('host_not_allowed: 127.0.0.1 is a loopback address');
    expect(upstream.connections).toEqual([]);
  });

  it('refuses a name that resolves to the loopback network', async () => {
    const upstream = await upstreamFor();
    const { egress } = egressWith({ ca: upstream.ca });
    const failure = causeOf(await fetchFailure(egress, `https://localhost:${upstream.port}/`));

    expect(failure.code).toBe('host_not_allowed');
    expect(failure.message).toBe('host_not_allowed: localhost resolves to a loopback address');
    expect(upstream.connections).toEqual([]);
  });

  it('reports a refused connection as upstream_unreachable and counts the failure', async () => {
    const upstream = await upstreamFor();
    await upstream.close();
    const { egress, audit } = egressWith({
      hostMap: { '*.whatsapp.net': upstream.address },
      ca: upstream.ca,
    });
    const request = https.request({
      hostname: 'mmg.whatsapp.net',
      path: '/mms/image/t?token=t',
      method: 'POST',
      agent: egress.agent,
    });
    request.end('x');
    const [error] = await once(request, 'error');

    expect(codeOf(error)).toBe('upstream_unreachable');
    expect((error as { context?: unknown }).context).toMatchObject({ reason: 'ECONNREFUSED' });
    expect(audit.tenant('pizza-roma')).toMatchObject({ connections: 1, direct: 1, failed: 1 });
  });

  it('keeps each tenant’s connections apart', async () => {
    const upstream = await upstreamFor();
    const options = { hostMap: { '*.whatsapp.net': upstream.address }, ca: upstream.ca };
    const audit = new EgressAudit();
    const first = createEgress({ tenant: 'pizza-roma', policy: 'direct', audit, ...options });
    const second = createEgress({ tenant: 'taco-loco', policy: 'direct', audit, ...options });
    closers.push(
      () => first.close(),
      () => second.close(),
    );
    for (const egress of [first, second, first]) {
      const response = await fetch('https://mmg.whatsapp.net/blob/10', {
        dispatcher: egress.dispatcher,
      } as RequestInit);
      await response.arrayBuffer();
    }

    expect(upstream.connections).toEqual(['mmg.whatsapp.net', 'mmg.whatsapp.net']);
    expect(audit.tenant('pizza-roma').connections).toBe(1);
    expect(audit.tenant('taco-loco').connections).toBe(1);
  });
});
