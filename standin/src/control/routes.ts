import type { StandinContext } from '../context.js';
import { StandinError } from '../errors.js';
import { parseAccountFaults, parseHostFaults } from '../faults.js';
import { enterLinkCode } from '../phone/link.js';
import { scanQr, type PhoneOptions } from '../phone/scan.js';
import { isStreamErrorCode } from '../session/stream-errors.js';
import { disconnectConnections, dropConnections, releaseAcks } from './actions.js';
import type { StandinInfo } from './info.js';
import { NO_ROUTE, routeContacts } from './contact-routes.js';
import { accountView, phoneView } from './views.js';

export interface ControlRequest {
  readonly method: string;
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly body: unknown;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StandinError('bad_request', 'body must be a JSON object', { field: 'body' });
  }
  return body as Record<string, unknown>;
}

function text(body: Record<string, unknown>, field: string, optional = false): string | undefined {
  const value = body[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new StandinError('bad_request', `${field} must be a non-empty string`, { field });
  }
  return value;
}

function phoneOptions(body: Record<string, unknown>): PhoneOptions {
  const name = body.name;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new StandinError('bad_request', 'name must be a string or null', { field: 'name' });
  }
  const phone = text(body, 'phone', true);
  return {
    ...(phone === undefined ? {} : { phone }),
    ...(name === undefined ? {} : { name }),
  };
}

/** The control API: every route, JSON in and out. See README for the shapes. */
export async function route(
  ctx: StandinContext,
  info: StandinInfo,
  request: ControlRequest,
): Promise<unknown> {
  const { method, segments } = request;
  const [first, second, third] = segments;
  const at = (m: string, ...path: (string | null)[]): boolean =>
    m === method &&
    path.length === segments.length &&
    path.every((part, index) => part === null || part === segments[index]);

  if (at('GET')) return info;
  if (at('GET', 'records')) {
    const since = Number(request.query.get('since') ?? 0);
    if (!Number.isSafeInteger(since) || since < 0) {
      throw new StandinError('bad_request', 'since must be a sequence number', { field: 'since' });
    }
    return ctx.records.snapshot(since);
  }
  if (at('GET', 'faults')) return ctx.faults.snapshot();
  if (at('GET', 'media')) return ctx.media.list();
  if (at('GET', 'failures')) {
    const since = Number(request.query.get('since') ?? 0);
    if (!Number.isSafeInteger(since) || since < 0) {
      throw new StandinError('bad_request', 'since must be a sequence number', { field: 'since' });
    }
    return ctx.messages.failuresSince(since);
  }
  if (at('GET', 'accounts')) return ctx.accounts.all().map((account) => accountView(ctx, account));
  if (at('POST', 'phone', 'scan')) {
    const body = objectBody(request.body);
    return scanQr(ctx, text(body, 'qr') as string, phoneOptions(body));
  }
  if (at('POST', 'phone', 'link-code')) {
    const body = objectBody(request.body);
    const phone = text(body, 'phone') as string;
    return enterLinkCode(ctx, text(body, 'code') as string, { ...phoneOptions(body), phone });
  }
  if (first === 'accounts' && second !== undefined) {
    const account = second;
    if (at('GET', 'accounts', null)) return accountView(ctx, ctx.accounts.require(account));
    if (at('GET', 'accounts', null, 'phone')) return phoneView(ctx, ctx.accounts.require(account));
    if (at('PUT', 'accounts', null, 'faults')) {
      return ctx.faults.setAccount(account, parseAccountFaults(request.body));
    }
    if (at('DELETE', 'accounts', null, 'faults')) {
      ctx.faults.clearAccount(account);
      return { cleared: account };
    }
    if (at('POST', 'accounts', null, 'drop')) return { connections: dropConnections(ctx, account) };
    if (at('POST', 'accounts', null, 'disconnect')) {
      const code = objectBody(request.body).code;
      if (!isStreamErrorCode(code)) {
        throw new StandinError('bad_request', 'code must be one of 401, 403, 440, 503, 515', {
          field: 'code',
        });
      }
      return { connections: disconnectConnections(ctx, account, code) };
    }
    if (at('POST', 'accounts', null, 'release-acks')) {
      const error = request.body === undefined ? undefined : objectBody(request.body).error;
      if (error !== undefined && typeof error !== 'number' && typeof error !== 'string') {
        throw new StandinError('bad_request', 'error must be a number or string', {
          field: 'error',
        });
      }
      return {
        released: releaseAcks(ctx, account, error === undefined ? undefined : String(error)),
      };
    }
  }
  if (first === 'hosts' && second !== undefined && third === 'faults') {
    if (at('PUT', 'hosts', null, 'faults'))
      return ctx.faults.setHost(second, parseHostFaults(request.body));
    if (at('DELETE', 'hosts', null, 'faults')) {
      ctx.faults.clearHost(second);
      return { cleared: second };
    }
  }
  const answer = await routeContacts(ctx, request);
  if (answer !== NO_ROUTE) return answer;
  throw new StandinError('not_found', `no route ${method} /${segments.join('/')}`);
}
