import type { StandinContext } from '../context.js';
import { serveMedia } from '../media/routes.js';
import { describeRequest, type AnyRequest } from './request-info.js';
import { writeHead, type AnyResponse } from './respond.js';
import { serveWeb } from './web.js';

function isUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * Every plain HTTP request (not an upgrade), on either listener: recorded
 * first, then served by host. `web.whatsapp.com` serves the version file;
 * every name under whatsapp.net is a media host.
 */
export function handleHttp(
  ctx: StandinContext,
  transport: 'tls' | 'plain',
  request: AnyRequest,
  response: AnyResponse,
): void {
  const record = ctx.records.addRequest(describeRequest(request, 'http', transport, ctx.options));
  if (transport === 'tls')
    record.party = ctx.partyFetch.partyOf(record.remoteAddress, record.remotePort);
  const fail = (error: unknown): void => {
    if (response.headersSent) {
      response.destroy(error instanceof Error ? error : undefined);
      return;
    }
    writeHead(record, response, 500, { 'content-type': 'text/plain' });
    response.end('stand-in error\n');
  };
  try {
    if (record.host === ctx.options.webHost) {
      serveWeb(ctx, request, response, record);
    } else if (isUnder(record.host, 'whatsapp.net')) {
      serveMedia(ctx, request, response, record).catch(fail);
    } else {
      writeHead(record, response, 421, { 'content-type': 'text/plain' });
      response.end('this stand-in does not serve that host\n');
    }
  } catch (error) {
    fail(error);
  }
}
