import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { connect as namedTlsConnect } from 'node:tls';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { getGlobalDispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEgress, EgressAudit, installProcessGuards } from '../../src/egress/index.js';
import type { ProcessGuards } from '../../src/egress/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { codeOf } from '../support/egress-fixture.js';
import { waitFor } from '../support/settle.js';
import { startUpstream } from '../support/upstream.js';
import type { TestUpstream } from '../support/upstream.js';

/** Resolves every name to loopback, so a leak would really reach the test upstream. */
function loopbackLookup(
  _hostname: string,
  options: LookupOptions,
  callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
): void {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

let upstream: TestUpstream;
let audit: EgressAudit;
let logger: ReturnType<typeof captureLogger>;
let guards: ProcessGuards;

beforeEach(async () => {
  upstream = await startUpstream();
  audit = new EgressAudit();
  logger = captureLogger();
  guards = installProcessGuards({ audit, logger });
});

afterEach(async () => {
  guards.uninstall();
  await upstream.close();
});

function plantTlsLeak(connect: typeof tls.connect = tls.connect): tls.TLSSocket {
  return connect({
    host: '127.0.0.1',
    port: upstream.port,
    servername: 'web.whatsapp.com',
    ca: upstream.ca,
  });
}

function expectCaught(source: string, host: string): void {
  expect(audit.snapshot().unattributed).toEqual({
    refused: 1,
    allowed: 0,
    bySource: { [source]: 1 },
  });
  expect(logger.lines).toEqual([
    {
      level: 'warn',
      fields: { host, port: expect.any(Number), source, action: 'refused' },
      message: 'tenant-less WhatsApp-bound connection refused',
    },
  ]);
  expect(upstream.connections).toEqual([]);
}

describe('the process guards refuse tenant-less WhatsApp-bound traffic', () => {
  it('catches tls.connect with a WhatsApp server name', async () => {
    const [error] = await once(plantTlsLeak(), 'error');

    expect(codeOf(error)).toBe('tenant_missing');
    expectCaught('guard:tls', 'web.whatsapp.com');
  });

  it('catches tls.connect imported by name from node:tls', async () => {
    const [error] = await once(plantTlsLeak(namedTlsConnect), 'error');

    expect(codeOf(error)).toBe('tenant_missing');
    expectCaught('guard:tls', 'web.whatsapp.com');
  });

  it('catches https.request without an agent', async () => {
    const request = https.request({
      host: 'mmg.whatsapp.net',
      port: upstream.port,
      path: '/blob/10',
      lookup: loopbackLookup,
      ca: upstream.ca,
    });
    request.end();
    const [error] = await once(request, 'error');

    expect(codeOf(error)).toBe('tenant_missing');
    expectCaught('guard:https', 'mmg.whatsapp.net');
  });

  it('catches a bare fetch, before any name lookup', async () => {
    const failure = await fetch(`https://mmg.whatsapp.net:${upstream.port}/blob/10`).catch(
      (error: unknown) => error,
    );

    expect(codeOf(failure)).toBe('tenant_missing');
    expectCaught('guard:fetch', 'mmg.whatsapp.net');
  });

  it('catches a ws WebSocket opened without the tenant’s agent', async () => {
    const ws = new WebSocket(`wss://web.whatsapp.com:${upstream.port}/ws/chat`, {
      origin: 'https://web.whatsapp.com',
      lookup: loopbackLookup,
      ca: upstream.ca,
    } as WebSocket.ClientOptions);
    const [error] = await once(ws, 'error');

    expect(codeOf(error)).toBe('tenant_missing');
    expectCaught('guard:tls', 'web.whatsapp.com');
  });

  it('catches net.connect by name as the last catch-all', async () => {
    const socket = net.connect({
      host: 'web.whatsapp.com',
      port: upstream.port,
      lookup: loopbackLookup,
    });
    const [error] = await once(socket, 'error');

    expect(codeOf(error)).toBe('tenant_missing');
    expectCaught('guard:net', 'web.whatsapp.com');
  });
});

describe('the process guards let other traffic pass', () => {
  it('passes a tenant’s traffic through its egress', async () => {
    const egress = createEgress({
      tenant: 'pizza-roma',
      policy: 'direct',
      hostMap: { '*.whatsapp.net': upstream.address },
      ca: upstream.ca,
      production: false,
      audit,
    });
    const response = await fetch('https://mmg.whatsapp.net/blob/100', {
      dispatcher: egress.dispatcher,
    } as RequestInit);
    await response.arrayBuffer();
    const ws = new WebSocket('wss://mmg.whatsapp.net/ws/chat', { agent: egress.agent });
    await once(ws, 'open');
    ws.close();
    await once(ws, 'close');
    await egress.close();

    expect(response.status).toBe(200);
    expect(audit.tenant('pizza-roma')).toMatchObject({ connections: 2, direct: 2 });
    expect(audit.snapshot().unattributed).toEqual({ refused: 0, allowed: 0, bySource: {} });
  });

  it('passes requests to hosts that are not WhatsApp’s', async () => {
    const request = https.get({
      host: 'example.org',
      port: upstream.port,
      path: '/blob/10',
      lookup: loopbackLookup,
      ca: upstream.ca,
    });
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    response.resume();

    expect(response.statusCode).toBe(200);
    expect(audit.snapshot().unattributed.refused).toBe(0);
  });

  it('lets WhatsApp-bound traffic through in record mode, counted and logged', async () => {
    guards.uninstall();
    guards = installProcessGuards({ audit, logger, mode: 'record' });
    const socket = plantTlsLeak();
    await once(socket, 'secureConnect');
    socket.destroy();

    expect(audit.snapshot().unattributed).toEqual({
      refused: 0,
      allowed: 1,
      bySource: { 'guard:tls': 1 },
    });
    expect(logger.lines[0]).toMatchObject({
      level: 'warn',
      fields: { host: 'web.whatsapp.com', source: 'guard:tls', action: 'allowed' },
    });
  });
});

describe('installing the process guards', () => {
  it('puts back the global agents, the dispatcher and tls.connect on uninstall', async () => {
    guards.uninstall();
    const agents = [http.globalAgent, https.globalAgent, getGlobalDispatcher(), tls.connect];
    guards = installProcessGuards({ audit, logger });
    expect([http.globalAgent, https.globalAgent, getGlobalDispatcher(), tls.connect]).not.toEqual(
      expect.arrayContaining([agents[0], agents[1], agents[2], agents[3]]),
    );
    guards.uninstall();

    expect([http.globalAgent, https.globalAgent, getGlobalDispatcher(), tls.connect]).toEqual(
      agents,
    );
    // Without the guards the planted leak goes through: the control case.
    const socket = plantTlsLeak();
    await once(socket, 'secureConnect');
    const seen = await waitFor(() => upstream.connections[0], 'the upstream to accept');
    socket.destroy();
    expect(seen).toBe('web.whatsapp.com');
  });

  it('refuses a second installation in the same process', () => {
    expect(() => installProcessGuards({ audit })).toThrow(
      expect.objectContaining({ code: 'internal' }),
    );
  });
});
