import type { Context } from 'hono';
import { ApiError } from './errors.js';

export type ParsedBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | {
      readonly kind: 'multipart';
      readonly fields: Record<string, string>;
      readonly files: Record<string, Buffer>;
    };

/**
 * Reads a request body within `maxBytes` (counted as it streams, whatever
 * the declared length says): JSON, or `multipart/form-data` when the route
 * takes a file. An empty body reads as `{}`.
 */
export async function readBody(
  c: Context,
  maxBytes: number,
  multipart: boolean,
): Promise<ParsedBody> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new ApiError(
      'body_too_large',
      `the body is ${declared} bytes; the limit is ${maxBytes}`,
      {
        maxBytes,
      },
    );
  }
  if (multipart && type.startsWith('multipart/form-data')) {
    const raw = await readCapped(c.req.raw, maxBytes);
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } })
      .formData()
      .catch(() => {
        throw new ApiError('invalid_request', 'body: not a valid multipart form', {
          field: 'body',
        });
      });
    const fields: Record<string, string> = {};
    const files: Record<string, Buffer> = {};
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') fields[name] = value;
      else files[name] = Buffer.from(await value.arrayBuffer());
    }
    return { kind: 'multipart', fields, files };
  }
  if (type !== '' && !type.startsWith('application/json')) {
    throw new ApiError(
      'unsupported_media_type',
      `send application/json, not ${type.split(';')[0]}`,
    );
  }
  const raw = await readCapped(c.req.raw, maxBytes);
  if (raw.length === 0) return { kind: 'json', value: {} };
  try {
    return { kind: 'json', value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    throw new ApiError('invalid_json');
  }
}

async function readCapped(request: Request, maxBytes: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ApiError('body_too_large', `the body passed the limit of ${maxBytes} bytes`, {
        maxBytes,
      });
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
