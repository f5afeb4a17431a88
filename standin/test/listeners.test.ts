import { connect, type ClientHttp2Session } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import makeWASocket, { initAuthCreds, type SignalKeyStore } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../src/index.js';
import { capturingLogger } from './support/logger.js';

let standin: Standin;

beforeAll(async () => {
  standin = await startStandin();
});

afterAll(async () => {
  await standin.close();
});

function tlsAddress(host: string): { address: string; port: number } {
  const [address, port] = (standin.hostMap[host] as string).split(':') as [string, string];
  return { address, port: Number(port) };
}

/**
 * An HTTP/2 session to a served name, resolved through the host map, trusting only the stand-in CA.
 */
function h2(host: string): Promise<ClientHttp2Session> {
  const { address, port } = tlsAddress(host);
  return new Promise((resolve, reject) => {
    const session = connect(`https://${host}`, {
      ca: standin.caPem,
      servername: host,
      host: address,
      port,
    });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

function h2Get(session: ClientHttp2Session, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const stream = session.request(headers);
      const chunks: Buffer[] = [];
      let responseHeaders: Record<string, unknown> = {};
      stream.on('response', (received) => (responseHeaders = received));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () =>
        resolve({
          status: Number(responseHeaders[':status']),
          headers: responseHeaders,
          body: Buffer.concat(chunks),
        }),
      );
      stream.on('error', reject);
      stream.end();
    },
  );
}

describe('the TLS listener', () => {
  it(
    'speaks HTTP/2 to a client that offers it, on ' +
      'every served name, with the CA made at start-up',
    async () => {
      const { lastSeq } = await standin.control.records();
      const session = await h2('web.whatsapp.com');
      expect(session.alpnProtocol).toBe('h2');
      const answer = await h2Get(session, { ':path': '/sw.js', ':method': 'GET' });
      session.close();
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toContain('"client_revision":1043857760');
      const media = await h2('mmg.whatsapp.net');
      const preflight = await h2Get(media, {
        ':path': '/v/t62.7119-24/1_2_3_n.enc',
        ':method': 'OPTIONS',
        origin: 'https://orders.restaurant.example',
        'access-control-request-method': 'GET',
      });
      media.close();
      expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([
        204,
        '*',
      ]);
      const { requests } = await standin.control.records(lastSeq);
      expect(
        requests.map((request) => [request.httpVersion, request.sni, request.host, request.method]),
      ).toEqual([
        ['2.0', 'web.whatsapp.com', 'web.whatsapp.com', 'GET'],
        ['2.0', 'mmg.whatsapp.net', 'mmg.whatsapp.net', 'OPTIONS'],
      ]);
      // HTTP/2 pseudo-headers are kept, in arrival order, with the other headers.
      expect(requests[1]?.headers.map(([name]) => name).slice(0, 2)).toEqual([':path', ':method']);
    },
  );

  it('fails the TLS handshake for a name its certificate does not cover', async () => {
    const { address, port } = tlsAddress('web.whatsapp.com');
    const failure = await new Promise<string>((resolve) => {
      const request = httpsRequest(
        { host: address, port, servername: 'example.org', ca: standin.caPem, path: '/' },
        () => resolve('answered'),
      );
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      request.end();
    });
    expect(failure).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});

describe('the plain development listener', () => {
  it('serves the version file and the WebSocket over http/ws on a local address', async () => {
    const plain = standin.plain as { http: string; ws: string };
    const { lastSeq } = await standin.control.records();
    const version = await fetch(`${plain.http}/sw.js`);
    expect(version.status).toBe(200);
    // Baileys straight at the plain WebSocket (development only), no egress: it gets its QR.
    const sock = makeWASocket({
      auth: { creds: initAuthCreds(), keys: memoryKeys() },
      logger: capturingLogger(),
      waWebSocketUrl: plain.ws,
    });
    const qr = await new Promise<string>((resolve) =>
      sock.ev.on('connection.update', (update) => update.qr && resolve(update.qr)),
    );
    expect(qr.startsWith('https://wa.me/settings/linked_devices#2@')).toBe(true);
    sock.end(undefined);
    const { requests } = await standin.control.records(lastSeq);
    expect(requests.map((request) => [request.transport, request.kind, request.host])).toEqual([
      ['plain', 'http', 'web.whatsapp.com'],
      ['plain', 'ws', 'web.whatsapp.com'],
    ]);
  });
});

function memoryKeys(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    get: async (type: string, ids: string[]) =>
      Object.fromEntries(ids.map((id) => [id, data.get(`${type}:${id}`)])),
    set: async (values: Record<string, Record<string, unknown>>) => {
      for (const [type, entries] of Object.entries(values)) {
        for (const [id, value] of Object.entries(entries)) data.set(`${type}:${id}`, value);
      }
    },
  } as SignalKeyStore;
}
