import type { Context } from 'hono';
import { z } from 'zod';
import { downloadReceivedMedia } from '../../messages/media-download.js';
import { MEDIA_KINDS, type SendRequest } from '../../messages/requests.js';
import { sendView as toSendView } from '../../messages/send-view.js';
import type { SendResult } from '../../messages/sender.js';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../registry.js';
import { idempotencyKey, sendView, tenantId } from '../schemas.js';
import type { ApiServices } from '../services.js';

const TAG = ['messages'];
const BASE = '/api/baileys/sessions/{tenantId}';

const to = z
  .string()
  .min(5)
  .max(64)
  .describe('A phone number in international form (+34600000000) or a chat JID.');

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description:
    'Makes retries safe: a second call with the same key returns the first call’s result and ' +
    'sends nothing. Also accepted as the body field `idempotencyKey`.',
};

const mediaFields = {
  to,
  kind: z.enum(MEDIA_KINDS),
  mimetype: z.string().max(200).optional(),
  caption: z.string().max(4_096).optional(),
  fileName: z.string().max(255).optional(),
  ptt: z.boolean().optional().describe('Audio as a voice note.'),
  gifPlayback: z.boolean().optional().describe('Video shown as a looping GIF.'),
  idempotencyKey: idempotencyKey.optional(),
};

const mediaJson = z
  .strictObject({
    ...mediaFields,
    data: z.base64().optional().describe('The file, base64.'),
    url: z
      .string()
      .max(4_096)
      .optional()
      .describe('An https URL the worker fetches itself (guarded, size and time capped).'),
  })
  .refine((b) => (b.data === undefined) !== (b.url === undefined), {
    message: 'give exactly one of data and url',
    path: ['data'],
  });

const mediaForm = z.strictObject({
  ...mediaFields,
  ptt: z.enum(['true', 'false']).optional(),
  gifPlayback: z.enum(['true', 'false']).optional(),
  url: z.string().max(4_096).optional(),
});

const answers = {
  200: {
    description: 'The result of an earlier call with this key; nothing was sent now.',
    schema: sendView,
  },
  201: { description: 'Sent: WhatsApp acked it.', schema: sendView },
  202: {
    description: 'Written to WhatsApp; no ack within the deadline yet (`message.send` follows).',
    schema: sendView,
  },
};

/** Send routes (text, media), send records, and media of received messages. */
export function registerMessageRoutes(api: RouteRegistry, services: ApiServices): void {
  const respond = (c: Context, result: SendResult) => {
    const view = toSendView(result.record);
    if (result.replayed) c.header('idempotent-replayed', 'true');
    switch (result.record.state) {
      case 'outcome_unknown':
        throw new ApiError(
          'outcome_unknown',
          undefined,
          { idempotencyKey: view.idempotencyKey },
          {
            send: view,
          },
        );
      case 'failed':
        throw new ApiError(
          result.record.errorCode === 'upstream_rejected' ? 'upstream_rejected' : 'send_failed',
          result.record.errorMessage ?? undefined,
          { idempotencyKey: view.idempotencyKey },
          { send: view },
        );
      case 'pending':
      case 'sending':
        return c.json(view, 202);
      default:
        return c.json(view, result.replayed ? 200 : 201);
    }
  };
  const keyOf = (c: Context, fromBody: string | undefined) => {
    const header = c.req.header('idempotency-key');
    const key = header ?? fromBody;
    if (key === undefined) return undefined;
    const parsed = idempotencyKey.safeParse(key);
    if (!parsed.success) {
      throw new ApiError(
        'invalid_request',
        'Idempotency-Key: must be 1 to 200 printable characters',
        {
          field: 'header.idempotency-key',
        },
      );
    }
    if (header !== undefined && fromBody !== undefined && header !== fromBody) {
      throw new ApiError('invalid_request', 'the header and body idempotency keys differ', {
        field: 'body.idempotencyKey',
      });
    }
    return parsed.data;
  };

  api.register({
    method: 'post',
    path: `${BASE}/messages/text`,
    operationId: 'sendText',
    summary: 'Send a text',
    description:
      "Waits for WhatsApp's ack up to the configured deadline. If the connection closes first, " +
      'the answer is `outcome_unknown` and the send is never repeated under its key. Link ' +
      'previews are made only when the worker runs with guarded previews.',
    tags: TAG,
    access: 'tenant',
    params: z.object({ tenantId }),
    headers: [IDEMPOTENCY_HEADER],
    body: z.strictObject({
      to,
      text: z.string().min(1).max(65_536),
      linkPreview: z.boolean().default(false),
      idempotencyKey: idempotencyKey.optional(),
    }),
    responses: answers,
    handler: async ({ c, params, body }) => {
      const request: SendRequest = {
        kind: 'text',
        to: body.to,
        text: body.text,
        linkPreview: body.linkPreview,
      };
      return respond(
        c,
        await services.sends.send(params.tenantId, request, keyOf(c, body.idempotencyKey)),
      );
    },
  });

  api.register({
    method: 'post',
    path: `${BASE}/messages/media`,
    operationId: 'sendMedia',
    summary: 'Send an image, video, audio, document or sticker',
    description:
      'The file comes as base64 `data`, as the `file` of a multipart form, or as an https `url` ' +
      'the worker fetches itself through the tenant egress: every redirect is checked, private, ' +
      'loopback, link-local and metadata addresses are refused unless the operator allowlist ' +
      'names them, and size and time are capped.',
    tags: TAG,
    access: 'tenant',
    params: z.object({ tenantId }),
    headers: [IDEMPOTENCY_HEADER],
    body: mediaJson,
    multipart: { fields: mediaForm, file: 'file' },
    responses: answers,
    handler: async ({ c, params, body, file }) => {
      const fields = body as z.output<typeof mediaJson> & z.output<typeof mediaForm>;
      let media: { bytes: Buffer } | { url: string };
      if (file !== undefined) {
        if (fields.url !== undefined) {
          throw new ApiError('invalid_request', 'body.url: give a file or a url, not both', {
            field: 'body.url',
          });
        }
        media = { bytes: file };
      } else if ('data' in fields && typeof fields.data === 'string') {
        media = { bytes: Buffer.from(fields.data, 'base64') };
      } else if (typeof fields.url === 'string') {
        media = { url: fields.url };
      } else {
        throw new ApiError('invalid_request', 'body.file: give a file, data or a url', {
          field: 'body.file',
        });
      }
      const flag = (value: unknown) => value === true || value === 'true';
      const request: SendRequest = {
        kind: fields.kind,
        to: fields.to,
        media,
        ...(fields.mimetype ? { mimetype: fields.mimetype } : {}),
        ...(fields.caption ? { caption: fields.caption } : {}),
        ...(fields.fileName ? { fileName: fields.fileName } : {}),
        ...(flag(fields.ptt) ? { ptt: true } : {}),
        ...(flag(fields.gifPlayback) ? { gifPlayback: true } : {}),
      };
      return respond(
        c,
        await services.sends.send(params.tenantId, request, keyOf(c, fields.idempotencyKey)),
      );
    },
  });

  api.register({
    method: 'get',
    path: `${BASE}/sends/{idempotencyKey}`,
    operationId: 'getSend',
    summary: 'A send record by its idempotency key',
    tags: TAG,
    access: 'tenant',
    params: z.object({ tenantId, idempotencyKey }),
    responses: { 200: { description: 'The send.', schema: sendView } },
    handler: async ({ c, params }) =>
      c.json(toSendView(await services.sends.get(params.tenantId, params.idempotencyKey))),
  });

  api.register({
    method: 'get',
    path: `${BASE}/messages/{messageId}/media`,
    operationId: 'downloadMedia',
    summary: "A received message's media",
    description:
      "Downloaded from WhatsApp through the tenant's egress and decrypted. The message id comes " +
      'from a `message.received` event.',
    tags: TAG,
    access: 'tenant',
    params: z.object({ tenantId, messageId: z.string().min(1).max(128) }),
    responses: { 200: { description: 'The file.', contentType: 'application/octet-stream' } },
    handler: async ({ params, log }) => {
      const media = await downloadReceivedMedia(params.tenantId, params.messageId, {
        records: services.records,
        manager: services.manager,
        logger: log,
      });
      const headers: Record<string, string> = {
        'content-type': media.mimetype,
        'content-length': String(media.bytes.length),
        'cache-control': 'private, no-store',
      };
      if (media.fileName) {
        headers['content-disposition'] =
          `attachment; filename*=UTF-8''${encodeURIComponent(media.fileName)}`;
      }
      return new Response(new Uint8Array(media.bytes), { headers });
    },
  });
}
