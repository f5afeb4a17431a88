import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readBackendEnv } from '../../../src/backend-standin/config.js';
import { startBackend } from '../../../src/backend-standin/server.js';
import type { Backend, BackendEvent } from '../../../src/backend-standin/server.js';
import { Site } from '../../../src/backend-standin/site.js';

const TENANT_KEY = 'pk_pizzeria-1_f0e1d2c3b4a5';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** The worker's API as the backend expects it, recording what it was asked. */
class WorkerApiDouble {
  readonly seen: Seen[] = [];
  qr: Buffer | null = PNG;
  refuseTokens = false;
  readonly server: Server = createServer(
    (request, response) => void this.#answer(request, response),
  );
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.port = (this.server.address() as { port: number }).port;
  }

  async #answer(request: IncomingMessage, response: ServerResponse) {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    this.seen.push({
      method: request.method ?? '',
      path: request.url ?? '',
      authorization: request.headers.authorization,
      body,
    });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const route = `${request.method} ${request.url}`;
    if (route === 'POST /api/tunnel/tokens') {
      if (this.refuseTokens)
        return json(401, { error: { code: 'auth_invalid_key', message: 'unknown API key' } });
      return json(200, { token: 'pt1.claims.mac', expiresAt: 1_700_000_600 });
    }
    if (route === 'GET /api/baileys/sessions/pizzeria-1')
      return json(200, { tenant: 'pizzeria-1', status: 'qr' });
    if (route === 'POST /api/baileys/sessions/pizzeria-1/start')
      return json(200, { status: 'starting' });
    if (route === 'GET /api/baileys/sessions/pizzeria-1/qr.png') {
      if (!this.qr) return json(404, { error: { code: 'not_found', message: 'no QR' } });
      response.writeHead(200, { 'content-type': 'image/png' });
      return response.end(this.qr);
    }
    if (route === 'POST /api/baileys/sessions/pizzeria-1/pairing-code')
      return json(200, { code: 'ABCD1234' });
    json(404, { error: { code: 'not_found', message: route } });
  }
}

const worker = new WorkerApiDouble();
const events: BackendEvent[] = [];
let backend: Backend;
let site: string;

/** A GET with its path sent exactly as written (fetch would normalise it first). */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const request = httpRequest({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    request.on('error', fail);
    request.end();
  });
}

const call = (path: string, init: RequestInit = {}) => fetch(backend.url + path, init);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  await worker.start();
  site = await mkdtemp(join(tmpdir(), 'pasarela-site-'));
  await mkdir(join(site, 'pages'));
  await mkdir(join(site, 'assets'));
  await mkdir(join(site, 'dashboard'));
  await writeFile(join(site, 'pages/dashboard.html'), '<!doctype html><title>dashboard</title>');
  await writeFile(join(site, 'dashboard/index.html'), '<!doctype html><title>admin</title>');
  await writeFile(join(site, 'assets/app-1a2b.js'), 'export {};');
  await writeFile(join(tmpdir(), 'pasarela-outside.txt'), 'outside');
  const config = readBackendEnv({
    PASARELA_BACKEND_TENANT: 'pizzeria-1',
    PASARELA_BACKEND_RESTAURANT: 'Pizzería Uno',
    PASARELA_BACKEND_TENANT_KEY: TENANT_KEY,
    PASARELA_BACKEND_WORKER_URL: `http://127.0.0.1:${worker.port}`,
    PASARELA_BACKEND_ROOM: 'rooms.example.com',
    PASARELA_BACKEND_PORT: '0',
    PASARELA_BACKEND_SITE_DIR: site,
  });
  backend = await startBackend(config, (event) => events.push(event));
});

afterAll(async () => {
  await backend?.close();
  await new Promise((done) => worker.server.close(done));
  await rm(site, { recursive: true, force: true });
});

beforeEach(() => {
  worker.seen.length = 0;
  worker.refuseTokens = false;
  worker.qr = PNG;
});

describe('the backend stand-in', () => {
  it("gives a page its configuration, and never the tenant's key", async () => {
    const response = await call('/backend/config');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      tenant: 'pizzeria-1',
      restaurant: 'Pizzería Uno',
      room: { host: 'rooms.example.com', protocol: 'wss' },
      mode: 'production',
    });
    expect(text).not.toContain(TENANT_KEY);
  });

  it('mints a peer token with the tenant key, asking the worker each time', async () => {
    const first = await (await call('/backend/peer-token')).json();
    await call('/backend/peer-token');
    expect(first).toEqual({ token: 'pt1.claims.mac', expiresAt: 1_700_000_600 });
    expect(worker.seen).toEqual([
      {
        method: 'POST',
        path: '/api/tunnel/tokens',
        authorization: `Bearer ${TENANT_KEY}`,
        body: '{"tenantId":"pizzeria-1","role":"peer"}',
      },
      {
        method: 'POST',
        path: '/api/tunnel/tokens',
        authorization: `Bearer ${TENANT_KEY}`,
        body: '{"tenantId":"pizzeria-1","role":"peer"}',
      },
    ]);
  });

  it("passes the worker's refusal on with its code and without the key", async () => {
    worker.refuseTokens = true;
    const response = await call('/backend/peer-token');
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(JSON.parse(text)).toEqual({
      error: { code: 'auth_invalid_key', message: '/api/tunnel/tokens: unknown API key' },
    });
    expect(text).not.toContain(TENANT_KEY);
    expect(events.at(-1)).toEqual({
      level: 'warn',
      msg: 'backend call failed',
      route: '/peer-token',
      status: 401,
      code: 'auth_invalid_key',
    });
  });

  it('passes the session state, the QR image and a pairing code through', async () => {
    expect(await (await call('/backend/session')).json()).toEqual({ status: 'qr' });
    const qr = await call('/backend/qr.png');
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await qr.arrayBuffer())).toEqual(PNG);
    expect(await (await post('/backend/pairing-code', { phone: '5215512345678' })).json()).toEqual({
      code: 'ABCD1234',
    });
    expect(worker.seen.at(-1)?.body).toBe('{"phoneNumber":"+5215512345678"}');
    expect(await (await post('/backend/session/start', {})).json()).toEqual({ status: 'starting' });
  });

  it('answers 404 no_qr while the session shows no QR', async () => {
    worker.qr = null;
    const response = await call('/backend/qr.png');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'no_qr', message: 'the session shows no QR now' },
    });
  });

  it('refuses a pairing code for something that is not a phone number', async () => {
    const response = await post('/backend/pairing-code', { phone: '+52 55' });
    expect(response.status).toBe(400);
    expect(worker.seen).toEqual([]);
  });

  it('refuses a state change from another site or without a JSON body', async () => {
    const foreign = await post('/backend/session/start', {}, { origin: 'https://evil.example' });
    const form = await call('/backend/session/start', { method: 'POST', body: 'a=b' });
    expect([foreign.status, form.status]).toEqual([403, 403]);
    expect(worker.seen).toEqual([]);
  });

  it('says the worker is unreachable when it is', async () => {
    const config = readBackendEnv({
      PASARELA_BACKEND_TENANT: 'pizzeria-1',
      PASARELA_BACKEND_TENANT_KEY: TENANT_KEY,
      PASARELA_BACKEND_WORKER_URL: 'http://127.0.0.1:9',
      PASARELA_BACKEND_ROOM: 'rooms.example.com',
      PASARELA_BACKEND_PORT: '0',
      PASARELA_BACKEND_SITE_DIR: site,
    });
    const lonely = await startBackend(config);
    try {
      const response = await fetch(`${lonely.url}/backend/peer-token`);
      expect(response.status).toBe(502);
      expect((await response.json()).error.code).toBe('worker_unreachable');
    } finally {
      await lonely.close();
    }
  });

  it('serves the pages under short names with a policy on where they connect', async () => {
    const response = await call('/dashboard');
    expect(await response.text()).toBe('<!doctype html><title>dashboard</title>');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self' wss://rooms.example.com https://rooms.example.com " +
        'https://*.whatsapp.net ' +
        'https://*.whatsapp.com wss://*.whatsapp.net wss://*.whatsapp.com; ' +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    expect((await call('/assets/app-1a2b.js')).headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
  });

  it('lets a development page reach a plain room and the stand-in endpoints', async () => {
    const config = readBackendEnv({
      PASARELA_BACKEND_TENANT: 'pizzeria-1',
      PASARELA_BACKEND_TENANT_KEY: TENANT_KEY,
      PASARELA_BACKEND_WORKER_URL: `http://127.0.0.1:${worker.port}`,
      PASARELA_BACKEND_ROOM: '127.0.0.1:8787',
      PASARELA_BACKEND_ROOM_PROTOCOL: 'ws',
      PASARELA_BACKEND_MODE: 'development',
      PASARELA_BACKEND_DEV_HOST_MAP: '{"web.whatsapp.com":"http://127.0.0.1:8080"}',
      PASARELA_BACKEND_PORT: '0',
      PASARELA_BACKEND_SITE_DIR: site,
    });
    const development = await startBackend(config);
    try {
      const response = await fetch(`${development.url}/dashboard`);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy.split('; ').find((part) => part.startsWith('connect-src'))).toBe(
        "connect-src 'self' ws://127.0.0.1:8787 http://127.0.0.1:8787 https://*.whatsapp.net " +
          'https://*.whatsapp.com wss://*.whatsapp.net wss://*.whatsapp.com ' +
          'http://127.0.0.1:8080 ws://127.0.0.1:8080',
      );
      expect(await (await fetch(`${development.url}/backend/config`)).json()).toMatchObject({
        room: { host: '127.0.0.1:8787', protocol: 'ws' },
        mode: 'development',
        devHostMap: { 'web.whatsapp.com': 'http://127.0.0.1:8080' },
      });
    } finally {
      await development.close();
    }
  });

  it('sends / to the dashboard and /admin to its folder, with the room it reads', async () => {
    const root = await call('/', { redirect: 'manual' });
    const admin = await call('/admin', { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/dashboard']);
    expect([admin.status, admin.headers.get('location')]).toEqual([302, '/admin/']);
    expect(await (await call('/admin/config.json')).json()).toEqual({
      roomOrigin: 'https://rooms.example.com',
    });
    expect(await (await call('/admin/')).text()).toBe('<!doctype html><title>admin</title>');
  });

  it('serves nothing outside its folder, whatever the path says', async () => {
    const paths = [
      '/assets/../../pasarela-outside.txt',
      '/assets/%2e%2e/%2e%2e/pasarela-outside.txt',
      '/assets/..%2f..%2fpasarela-outside.txt',
    ];
    const statuses = await Promise.all(paths.map((path) => rawStatus(backend.port, path)));
    expect(statuses).toEqual([404, 404, 404]);
    expect(await new Site(site).file('/assets/../../pasarela-outside.txt')).toBe(null);
  });

  it('never reports the key', () => {
    expect(JSON.stringify(events)).not.toContain(TENANT_KEY);
  });
});
