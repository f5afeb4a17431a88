import type { StandinContext } from '../context.js';
import { StandinError } from '../errors.js';
import { sendBurst, sendFromContact, type ContactContent } from '../messaging/contact-send.js';
import type { ControlRequest } from './routes.js';
import { contactView } from './views.js';

/** The routes below do not match this request. */
export const NO_ROUTE = Symbol('no route');

/** The most messages one burst may queue. */
const BURST_LIMIT = 10_000;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StandinError('bad_request', 'body must be a JSON object', { field: 'body' });
  }
  return body as Record<string, unknown>;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new StandinError('bad_request', `${name} must be a non-empty string`, { field: name });
  }
  return value;
}

function sinceOf(request: ControlRequest): number {
  const since = Number(request.query.get('since') ?? 0);
  if (!Number.isSafeInteger(since) || since < 0) {
    throw new StandinError('bad_request', 'since must be a sequence number', { field: 'since' });
  }
  return since;
}

function content(body: Record<string, unknown>): ContactContent {
  if (body.text !== undefined) return { text: nonEmpty(body.text, 'text') };
  const image = body.image;
  if (typeof image !== 'object' || image === null) {
    throw new StandinError('bad_request', 'give text or image', { field: 'text' });
  }
  const data = Buffer.from(nonEmpty(field(image, 'data'), 'image.data'), 'base64');
  if (data.length === 0) {
    throw new StandinError('bad_request', 'image.data must be base64 bytes', {
      field: 'image.data',
    });
  }
  const mimetype = nonEmpty(field(image, 'mimetype'), 'image.mimetype');
  const caption = field(image, 'caption');
  if (caption !== undefined && typeof caption !== 'string') {
    throw new StandinError('bad_request', 'image.caption must be a string', {
      field: 'image.caption',
    });
  }
  return { image: { data, mimetype, ...(caption === undefined ? {} : { caption }) } };
}

/** `/contacts…`: create and inspect simulated contacts, and make them send. */
export async function routeContacts(
  ctx: StandinContext,
  request: ControlRequest,
): Promise<unknown> {
  const { method, segments } = request;
  if (segments[0] !== 'contacts') return NO_ROUTE;
  const [, phone, action] = segments;
  if (segments.length === 1 && method === 'GET')
    return ctx.contacts.all().map((c) => contactView(ctx, c));
  if (segments.length === 1 && method === 'POST') {
    const body = request.body === undefined ? {} : bodyObject(request.body);
    const readReceipts = body.readReceipts;
    if (readReceipts !== undefined && typeof readReceipts !== 'boolean') {
      throw new StandinError('bad_request', 'readReceipts must be a boolean', {
        field: 'readReceipts',
      });
    }
    const contact = ctx.contacts.create({
      ...(body.phone === undefined ? {} : { phone: nonEmpty(body.phone, 'phone') }),
      ...(body.name === undefined ? {} : { name: nonEmpty(body.name, 'name') }),
      ...(readReceipts === undefined ? {} : { readReceipts }),
    });
    return contactView(ctx, contact);
  }
  if (phone === undefined) return NO_ROUTE;
  const contact = ctx.contacts.require(phone);
  if (segments.length === 2 && method === 'GET') return contactView(ctx, contact);
  if (segments.length !== 3) return NO_ROUTE;
  if (method === 'GET' && action === 'received') {
    return ctx.messages.receivedBy(contact.party, sinceOf(request));
  }
  if (method === 'GET' && action === 'sent')
    return ctx.messages.sentBy(contact.party, sinceOf(request));
  if (method === 'POST' && action === 'forget-sessions') {
    contact.signal.forgetSessions();
    return { forgotten: contact.phone };
  }
  if (method === 'POST' && (action === 'send' || action === 'burst')) {
    const body = bodyObject(request.body);
    const account = ctx.accounts.require(nonEmpty(body.to, 'to'));
    if (action === 'send') return sendFromContact(ctx, contact, account, content(body));
    const count = body.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > BURST_LIMIT) {
      throw new StandinError('bad_request', `count must be an integer from 1 to ${BURST_LIMIT}`, {
        field: 'count',
      });
    }
    const text = body.text === undefined ? 'Queued message' : nonEmpty(body.text, 'text');
    const sent = await sendBurst(ctx, contact, account, count, text);
    return {
      ids: sent.map((item) => item.id),
      held: sent.reduce((n, m) => n + m.copies.length, 0),
    };
  }
  return NO_ROUTE;
}
