import { createHash } from 'node:crypto';

export const MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface TextSend {
  readonly kind: 'text';
  /** A chat JID (see `toJid`). */
  readonly to: string;
  readonly text: string;
  /** Ask for a link preview; honoured only with link previews `guarded`. */
  readonly linkPreview: boolean;
}

export interface MediaSend {
  readonly kind: MediaKind;
  readonly to: string;
  /** Exactly one of: the file's bytes, or an https URL the worker fetches itself. */
  readonly media: { readonly bytes: Buffer } | { readonly url: string };
  readonly mimetype?: string;
  readonly caption?: string;
  readonly fileName?: string;
  /** Audio as a voice note. */
  readonly ptt?: boolean;
  /** Video shown as a looping GIF. */
  readonly gifPlayback?: boolean;
}

export type SendRequest = TextSend | MediaSend;

/**
 * The request as the idempotency record remembers it: media bytes by their
 * SHA-256, so the same key with a different file is recognised as reuse.
 */
export function requestHash(request: SendRequest): string {
  const canonical =
    request.kind === 'text'
      ? request
      : {
          ...request,
          media:
            'bytes' in request.media
              ? { sha256: createHash('sha256').update(request.media.bytes).digest('hex') }
              : { url: request.media.url },
        };
  const keys = Object.keys(canonical).sort();
  return createHash('sha256')
    .update(JSON.stringify(canonical, keys.concat(['sha256', 'url'])))
    .digest('hex');
}

const PHONE = /^\+?[0-9]{7,15}$/;
const JID = /^[0-9]{5,20}(:[0-9]{1,3})?@(s\.whatsapp\.net|lid)$|^[0-9-]{5,40}@g\.us$/;

/**
 * The chat JID for a recipient written as a phone number in international
 * form (`+34 600 000 000`, spaces and dashes allowed) or as a JID. Returns
 * null when it is neither.
 */
export function toJid(recipient: string): string | null {
  const compact = recipient.trim().replace(/[\s()-]/g, '');
  if (PHONE.test(compact)) return `${compact.replace(/^\+/, '')}@s.whatsapp.net`;
  const jid = recipient.trim().toLowerCase();
  return JID.test(jid) ? jid : null;
}
