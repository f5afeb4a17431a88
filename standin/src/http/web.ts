import type { StandinContext } from '../context.js';
import type { RequestRecord } from '../records.js';
import type { AnyRequest } from './request-info.js';
import { writeHead, type AnyResponse } from './respond.js';

/**
 * The version file Baileys' `fetchLatestWaWebVersion` reads: it looks only
 * for `"client_revision": <digits>`. No CORS header, as for any same-origin
 * service-worker script: a page of another origin cannot read it.
 */
export function versionFile(clientRevision: number): string {
  return [
    "/* Pasarela WhatsApp stand-in: a local test tool, not WhatsApp Web's service worker. */",
    `self.__standin = {"client_revision":${clientRevision}};`,
    '',
  ].join('\n');
}

/** web.whatsapp.com over HTTP: the version file; the WebSocket is served by the upgrade path. */
export function serveWeb(
  ctx: StandinContext,
  request: AnyRequest,
  response: AnyResponse,
  record: RequestRecord,
): void {
  const pathname = (request.url ?? '/').split('?')[0];
  if (pathname === '/sw.js' && (request.method === 'GET' || request.method === 'HEAD')) {
    const body = versionFile(ctx.options.clientRevision);
    writeHead(record, response, 200, {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'no-cache',
      'content-length': String(Buffer.byteLength(body)),
    });
    if (request.method === 'HEAD') response.end();
    else response.end(body);
    return;
  }
  const status = pathname?.startsWith('/ws') ? 426 : 404;
  writeHead(record, response, status, { 'content-type': 'text/plain' });
  response.end(status === 426 ? 'WebSocket upgrade required\n' : 'not found\n');
}
