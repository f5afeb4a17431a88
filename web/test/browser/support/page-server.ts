import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { join } from 'node:path';
import { isTenantId, signToken } from '@pasarela/shared';
import type { TokenKeySet } from '@pasarela/shared';
import { build } from 'vite';
import type { IssuedPair } from './ca.js';
import { listenLocal } from './ports.js';

const HARNESS_ENTRY = join(import.meta.dirname, '../page/harness.ts');
const WEB_ROOT = join(import.meta.dirname, '../../..');

/** The page's own backend signs peer tokens this short-lived; the page asks on every attempt. */
export const PAGE_TOKEN_TTL_SECONDS = 600;

/** Bundles the page script from web/src with Vite, in memory. */
export async function bundleHarness(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: WEB_ROOT,
    build: {
      write: false,
      minify: false,
      target: 'es2023',
      lib: { entry: HARNESS_ENTRY, formats: ['es'], fileName: 'harness' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if (!('output' in output)) continue;
    for (const chunk of output.output) {
      if (chunk.type === 'chunk' && chunk.isEntry) return chunk.code;
    }
  }
  throw new Error('Vite produced no entry chunk for the page harness');
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Pasarela peer test page</title></head>
<body><p>Pasarela peer test page</p><script type="module" src="/harness.js"></script></body>
</html>
`;

export interface PageServerOptions {
  readonly tls: IssuedPair;
  readonly keys: TokenKeySet;
  readonly script: string;
}

/**
 * The restaurant's page over https (the suite's certificate for the page's
 * name): the page, its script, and `/token`, the restaurant backend's
 * endpoint that hands the page a fresh short-lived peer token.
 */
export class PageServer {
  readonly #server: Server;
  port = 0;
  tokensIssued = 0;

  constructor(options: PageServerOptions) {
    this.#server = createServer(
      { cert: options.tls.certPem, key: options.tls.keyPem },
      (request, response) => {
        const url = new URL(request.url ?? '/', 'https://page.invalid');
        const send = (status: number, type: string, body: string) => {
          response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
          response.end(body);
        };
        if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', PAGE);
        if (url.pathname === '/harness.js') {
          return send(200, 'text/javascript; charset=utf-8', options.script);
        }
        if (url.pathname === '/token') {
          const tenant = url.searchParams.get('tenant') ?? '';
          if (!isTenantId(tenant)) return send(400, 'text/plain', 'bad tenant\n');
          void signToken(
            { tenant, role: 'peer', ttlSeconds: PAGE_TOKEN_TTL_SECONDS },
            options.keys,
          ).then((token) => {
            this.tokensIssued += 1;
            send(200, 'text/plain', token);
          });
          return;
        }
        send(404, 'text/plain', 'not found\n');
      },
    );
  }

  async start(): Promise<void> {
    this.port = await listenLocal(this.#server);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}
