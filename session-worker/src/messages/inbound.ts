import {
  BufferJSON,
  getContentType,
  normalizeMessageContent,
  type WAMessage,
  type proto,
} from '@whiskeysockets/baileys';

/** A received message as events carry it: what a bot needs, never key material. */
export interface ReceivedMessage {
  readonly id: string;
  /** The chat: the contact's JID, or a group's. */
  readonly chat: string;
  /** Who wrote it: the participant in a group, else the chat. */
  readonly from: string;
  readonly pushName: string | null;
  /** When WhatsApp stamped it (epoch ms). */
  readonly timestamp: number | null;
  readonly type: string;
  readonly text: string | null;
  readonly media: {
    readonly kind: string;
    readonly mimetype: string | null;
    readonly fileLength: number | null;
    readonly fileName: string | null;
    /** SHA-256 of the decrypted file, base64, as the sender declared it. */
    readonly sha256: string | null;
    /** The API path that downloads it. */
    readonly path: string;
  } | null;
}

const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'] as const;

/** Content that is protocol housekeeping, not something a person sent. */
const HOUSEKEEPING = new Set([
  'protocolMessage',
  'senderKeyDistributionMessage',
  'messageContextInfo',
  'keepInChatMessage',
  'pollUpdateMessage',
]);

/** The event form of a received message, or null when it is not one a bot should see. */
export function describeReceived(tenant: string, message: WAMessage): ReceivedMessage | null {
  const key = message.key;
  if (!key?.id || !key.remoteJid || key.fromMe) return null;
  if (key.remoteJid === 'status@broadcast') return null;
  const content = normalizeMessageContent(message.message ?? undefined);
  const type = content ? getContentType(content) : undefined;
  if (!content || !type || HOUSEKEEPING.has(type)) return null;
  const kind = type.replace(/Message$/, '');
  const inner = content[type as keyof proto.IMessage] as Record<string, unknown> | string | null;
  const field = (name: string): unknown =>
    inner !== null && typeof inner === 'object' ? inner[name] : undefined;
  const text =
    type === 'conversation'
      ? String(inner ?? '')
      : ((field('text') ?? field('caption') ?? null) as string | null);
  const media = (MEDIA as readonly string[]).includes(kind)
    ? {
        kind,
        mimetype: (field('mimetype') as string | undefined) ?? null,
        fileLength: toNumber(field('fileLength')),
        fileName: (field('fileName') as string | undefined) ?? null,
        sha256: toBase64(field('fileSha256')),
        path: `/api/baileys/sessions/${tenant}/messages/${encodeURIComponent(key.id)}/media`,
      }
    : null;
  return {
    id: key.id,
    chat: key.remoteJid,
    from: key.participant ?? key.remoteJid,
    pushName: message.pushName ?? null,
    timestamp: (toNumber(message.messageTimestamp) ?? 0) * 1_000 || null,
    type: type === 'conversation' || type === 'extendedTextMessage' ? 'text' : kind,
    text,
    media,
  };
}

/** The stored form of a received message (BufferJSON keeps its byte fields). */
export function encodeMessage(message: WAMessage): string {
  return JSON.stringify(message, BufferJSON.replacer);
}

export function decodeMessage(text: string): WAMessage {
  return JSON.parse(text, BufferJSON.reviver) as WAMessage;
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && 'toNumber' in (value as object)) {
    return (value as { toNumber(): number }).toNumber();
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function toBase64(value: unknown): string | null {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'string') return value;
  return null;
}
