import { createHash } from 'node:crypto';
import type { StandinContext } from '../context.js';
import { StandinError } from '../errors.js';
import { answerPreflight, corsHeaders } from '../http/cors.js';
import type { AnyRequest } from '../http/request-info.js';
import { json, readBody, respond, writeHead, type AnyResponse } from '../http/respond.js';
import type { RequestRecord } from '../records.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** Whose request this is: the upload's auth token, or the stored file's uploader. */
function accountOf(ctx: StandinContext, url: URL): string | null {
  const auth = url.searchParams.get('auth');
  if (auth !== null) return ctx.accounts.byMediaAuth(auth)?.phone ?? null;
  const media = ctx.media.byPath(url.pathname);
  return media?.account ?? media?.audience ?? null;
}

/** The upload token: the encrypted file's SHA-256 in URL-safe base64 without padding. */
function uploadToken(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

async function upload(
  ctx: StandinContext,
  request: AnyRequest,
  response: AnyResponse,
  record: RequestRecord,
  url: URL,
): Promise<void> {
  const cors = corsHeaders(ctx.faults.forAccount(record.account).refuseCors);
  const send = (status: number, body: unknown) =>
    respond(ctx.faults, record, response, status, { ...JSON_TYPE, ...cors }, json(body));
  const body = await readBody(request, ctx.options.maxUploadBytes);
  if (body === null) return send(413, { error: 'payload too large' });
  if (record.account === null) return send(401, { error: 'invalid auth' });
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const token = url.searchParams.get('token');
  if (token === null || segments.at(-1) !== token || uploadToken(body) !== token) {
    return send(400, { error: 'token is not the SHA-256 of the body' });
  }
  // /mms/<kind>/<token>; app-state blobs upload straight to /<token>.
  const kind = segments.length >= 3 ? (segments[1] ?? 'unknown') : 'md-app-state';
  try {
    const media = ctx.media.put(body, { account: record.account, kind });
    return send(200, {
      url: `https://${ctx.options.mediaHost}${media.directPath}&mms3=true`,
      direct_path: media.directPath,
    });
  } catch (error) {
    if (error instanceof StandinError) return send(error.status, { error: error.code });
    throw error;
  }
}

function parseRange(header: string | undefined, size: number): [number, number] | 'invalid' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'invalid' : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start > end || start >= size ? 'invalid' : [start, end];
}

async function download(
  ctx: StandinContext,
  request: AnyRequest,
  response: AnyResponse,
  record: RequestRecord,
  url: URL,
): Promise<void> {
  const cors = corsHeaders(ctx.faults.forAccount(record.account).refuseCors);
  const head = request.method === 'HEAD';
  const media = ctx.media.byPath(url.pathname);
  const fail = (status: number) =>
    respond(
      ctx.faults,
      record,
      response,
      status,
      { ...JSON_TYPE, ...cors },
      json({ status }),
      head,
    );
  if (!media) return fail(404);
  if (!ctx.media.linkValid(url.pathname, url.searchParams.get('oh'), url.searchParams.get('oe'))) {
    return fail(403);
  }
  const size = media.bytes.length;
  const range = parseRange(request.headers.range as string | undefined, size);
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=1209600',
    'cross-origin-resource-policy': 'cross-origin',
    'timing-allow-origin': '*',
    ...cors,
  };
  if (range === 'invalid') {
    headers['content-range'] = `bytes */${size}`;
    return respond(ctx.faults, record, response, 416, headers, Buffer.alloc(0), head);
  }
  const [start, end] = range ?? [0, size - 1];
  const body = media.bytes.subarray(start, end + 1);
  headers['content-length'] = String(body.length);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  return respond(ctx.faults, record, response, range ? 206 : 200, headers, body, head);
}

/** The media hosts: uploads, downloads and their CORS preflights. */
export async function serveMedia(
  ctx: StandinContext,
  request: AnyRequest,
  response: AnyResponse,
  record: RequestRecord,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'https://media.invalid');
  // A simulated device's own fetch is its own, not an account's.
  record.account = record.party === null ? accountOf(ctx, url) : null;
  if (request.method === 'OPTIONS') {
    const answer = answerPreflight(
      record.origin,
      (request.headers['access-control-request-headers'] as string | undefined) ?? null,
      ctx.faults.forHost(record.host),
      ctx.faults.forAccount(record.account).refuseCors,
    );
    record.refusedBy = answer.refusedBy;
    writeHead(record, response, answer.status, answer.headers);
    response.end();
    return;
  }
  if (request.method === 'POST') return upload(ctx, request, response, record, url);
  if (request.method === 'GET' || request.method === 'HEAD') {
    return download(ctx, request, response, record, url);
  }
  writeHead(record, response, 405, { allow: 'GET, HEAD, POST, OPTIONS' });
  response.end();
}
