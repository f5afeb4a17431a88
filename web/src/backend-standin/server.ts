import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { BackendConfig } from './config.js';
import { contentSecurityPolicy, Site } from './site.js';
import { WorkerApi, WorkerApiError } from './worker-api.js';

/** What the backend reports; the entry point prints it, tests read it. Never a secret. */
export interface BackendEvent {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly route?: string;
  readonly status?: number;
  readonly code?: string;
}

export interface Backend {
  readonly url: string;
  readonly port: number;
  /** Peer tokens handed to pages since start. */
  readonly tokensIssued: () => number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4_096;

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array) {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function sendError(response: ServerResponse, status: number, code: string, message: string) {
  sendJson(response, status, { error: { code, message } });
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new WorkerApiError('body_too_large', 413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new WorkerApiError('bad_request', 400, 'the body must be a JSON object');
}

/**
 * A state-changing call must come from this site's own pages: JSON bodies
 * need a CORS preflight this server never answers, and an Origin, when the
 * browser sends one, must be this server's.
 */
function sameSite(request: IncomingMessage): boolean {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return URL.canParse(origin) && new URL(origin).host === request.headers.host;
}

/**
 * The restaurant's backend, reduced to what the pages need: it serves them,
 * keeps the tenant's API key, and asks the worker on their behalf for peer
 * tokens, the session's state, the QR and a pairing code. A development
 * and reference piece: it has no login of its own, so it listens on
 * loopback unless told otherwise.
 */
export async function startBackend(
  config: BackendConfig,
  report: (event: BackendEvent) => void = () => undefined,
): Promise<Backend> {
  const api = new WorkerApi({
    baseUrl: config.workerUrl,
    tenant: config.tenant,
    tenantKey: config.tenantKey,
    timeoutMs: config.workerTimeoutMs,
  });
  const site = new Site(config.siteDir);
  const roomOrigin = `${config.room.protocol === 'wss' ? 'https' : 'http'}://${config.room.host}`;
  const socketOrigin = `${config.room.protocol}://${config.room.host}`;
  const devHosts = Object.values(config.devHostMap ?? {}).flatMap((to) => {
    const url = new URL(to);
    const socket = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return [url.origin, `${socket}//${url.host}`];
  });
  const pagePolicy = contentSecurityPolicy({ room: [socketOrigin, roomOrigin], devHosts });
  const adminPolicy = contentSecurityPolicy({
    room: [roomOrigin],
    devHosts: [],
    anyHttpsRoom: true,
  });
  let tokensIssued = 0;

  const pageConfig = {
    tenant: config.tenant,
    restaurant: config.restaurant,
    room: config.room,
    mode: config.mode,
    ...(config.devHostMap ? { devHostMap: config.devHostMap } : {}),
    ...(config.peer ? { peer: config.peer } : {}),
  };

  async function backendRoute(request: IncomingMessage, response: ServerResponse, route: string) {
    const method = request.method ?? 'GET';
    if (method === 'POST' && !sameSite(request)) {
      return sendError(response, 403, 'forbidden', 'only this site may call this');
    }
    switch (`${method} ${route}`) {
      case 'GET /config':
        return sendJson(response, 200, pageConfig);
      case 'GET /peer-token': {
        const minted = await api.peerToken();
        tokensIssued += 1;
        return sendJson(response, 200, minted);
      }
      case 'GET /session':
        return sendJson(response, 200, { status: await api.sessionStatus() });
      case 'POST /session/start':
        return sendJson(response, 200, { status: await api.start() });
      case 'GET /qr.png': {
        const png = await api.qrPng();
        if (!png) return sendError(response, 404, 'no_qr', 'the session shows no QR now');
        return send(response, 200, 'image/png', png);
      }
      case 'POST /pairing-code': {
        const phone = (await readJson(request))['phone'];
        if (typeof phone !== 'string' || !/^[0-9]{8,15}$/.test(phone)) {
          return sendError(
            response,
            400,
            'bad_request',
            'phone: 8 to 15 digits, country code first',
          );
        }
        return sendJson(response, 200, { code: await api.pairingCode(phone) });
      }
      default:
        return sendError(response, 404, 'not_found', `no route ${method} /backend${route}`);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://backend.invalid');
    const path = url.pathname;
    if (path.startsWith('/backend/')) {
      const route = path.slice('/backend'.length);
      try {
        await backendRoute(request, response, route);
      } catch (error) {
        const known = error instanceof WorkerApiError;
        const status = known ? (error.status >= 500 ? 502 : error.status) : 500;
        const code = known ? error.code : 'internal';
        report({ level: 'warn', msg: 'backend call failed', route, status, code });
        sendError(response, status, code, known ? error.message : 'internal error');
      }
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendError(response, 405, 'method_not_allowed', 'pages are read only');
    }
    if (path === '/') return redirect(response, '/dashboard');
    if (path === '/admin') return redirect(response, '/admin/');
    if (path === '/admin/config.json') return sendJson(response, 200, { roomOrigin });
    const file = await site.file(path);
    if (!file) return sendError(response, 404, 'not_found', `no page ${path}`);
    response.writeHead(200, {
      'content-type': file.type,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
      'content-security-policy': path === '/admin/' ? adminPolicy : pagePolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendError(response, 500, 'internal', 'internal error');
      else response.destroy();
    });
  };
  const server: Server = config.tls
    ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const scheme = config.tls ? 'https' : 'http';
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  report({ level: 'info', msg: `pages at ${scheme}://${shownHost}:${port}/dashboard` });
  return {
    url: `${scheme}://${shownHost}:${port}`,
    port,
    tokensIssued: () => tokensIssued,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location, 'cache-control': 'no-store' });
  response.end();
}
