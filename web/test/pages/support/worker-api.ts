import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { SessionManager } from '../../../../session-worker/src/session/index.js';
import type { TokenMinter } from '../../../../session-worker/src/tunnel/index.js';
import { WORKER_API_PATHS } from '../../../src/backend-standin/worker-api.js';

export interface WorkerApiOptions {
  /** The worker's own token minter (its TunnelService's). */
  readonly minter: TokenMinter;
  /** The worker's session manager, for the session routes; null where a test has none. */
  readonly manager: SessionManager | null;
  /** Each tenant's API key. */
  readonly tenantKeys: Readonly<Record<string, string>>;
  readonly adminKey: string;
}

/**
 * The worker's REST routes the backend stand-in calls, at the paths it
 * calls them (`WORKER_API_PATHS`), with the worker's real token minter and
 * session manager behind them. It checks keys as the API does: a tenant
 * key mints that tenant's peer tokens only, the admin key mints admin
 * tokens. It stands in for the worker's HTTP layer alone.
 */
export class WorkerApiServer {
  readonly #options: WorkerApiOptions;
  readonly #server: Server;
  port = 0;
  /** Tokens minted, by role. */
  readonly minted = { peer: 0, admin: 0 };

  constructor(options: WorkerApiOptions) {
    this.#options = options;
    this.#server = createServer((request, response) => {
      this.#answer(request, response).catch((error: Error & { code?: string }) =>
        json(response, 500, { error: { code: error.code ?? 'internal', message: error.message } }),
      );
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const path = request.url ?? '/';
    const body = request.method === 'POST' ? await readBody(request) : {};
    if (request.method === 'POST' && path === WORKER_API_PATHS.tokens) {
      return this.#token(response, key, body);
    }
    const tenant = Object.keys(this.#options.tenantKeys).find((name) =>
      path.startsWith(WORKER_API_PATHS.session.replace(':tenant', name)),
    );
    if (!tenant || this.#options.tenantKeys[tenant] !== key) {
      return json(response, 401, {
        error: { code: 'auth_invalid_key', message: 'unknown API key' },
      });
    }
    const manager = this.#options.manager;
    if (!manager)
      return json(response, 503, { error: { code: 'no_sessions', message: 'none here' } });
    const route = (name: keyof typeof WORKER_API_PATHS) =>
      WORKER_API_PATHS[name].replace(':tenant', tenant);
    if (request.method === 'GET' && path === route('session')) {
      const view = manager.status(tenant);
      if (!view) return json(response, 404, { error: { code: 'not_found', message: tenant } });
      return json(response, 200, { tenant, status: view.status });
    }
    if (request.method === 'POST' && path === route('start')) {
      return json(response, 200, { tenant, status: (await manager.start(tenant)).status });
    }
    if (request.method === 'GET' && path === route('qrPng')) {
      if (!manager.status(tenant) || !manager.qr(tenant)) {
        return json(response, 404, { error: { code: 'no_qr', message: tenant } });
      }
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(await manager.qrPng(tenant));
      return;
    }
    if (request.method === 'POST' && path === route('pairingCode')) {
      const code = await manager.requestPairingCode(tenant, String(body['phoneNumber'] ?? ''));
      return json(response, 200, { code });
    }
    json(response, 404, { error: { code: 'not_found', message: `${request.method} ${path}` } });
  }

  async #token(response: ServerResponse, key: string, body: Record<string, unknown>) {
    const { minter, tenantKeys, adminKey } = this.#options;
    const tenant = String(body['tenantId'] ?? '');
    if (key === adminKey && body['role'] === 'admin') {
      this.minted.admin += 1;
      return json(response, 200, await minter.admin(tenant));
    }
    if (body['role'] === 'peer' && tenantKeys[tenant] !== undefined && tenantKeys[tenant] === key) {
      this.minted.peer += 1;
      return json(response, 200, await minter.peer(tenant));
    }
    json(response, 401, {
      error: { code: 'auth_invalid_key', message: 'this key cannot mint that' },
    });
  }
}

function json(response: ServerResponse, status: number, value: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
