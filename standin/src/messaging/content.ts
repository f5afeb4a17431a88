import { proto, type MediaType } from '@whiskeysockets/baileys';

/** The part of a media message a receiving device needs to fetch and open the file. */
export interface MediaContent {
  /** The media type its keys are derived for. */
  readonly type: MediaType;
  readonly url: string | null;
  readonly directPath: string | null;
  readonly mediaKey: Uint8Array;
  readonly fileSha256: Uint8Array | null;
  readonly fileEncSha256: Uint8Array | null;
  readonly fileLength: number | null;
  readonly mimetype: string | null;
}

type MediaField =
  | proto.Message.IImageMessage
  | proto.Message.IVideoMessage
  | proto.Message.IAudioMessage
  | proto.Message.IDocumentMessage
  | proto.Message.IStickerMessage;

function field(message: proto.IMessage): { type: MediaType; media: MediaField } | null {
  if (message.imageMessage) return { type: 'image', media: message.imageMessage };
  if (message.videoMessage) {
    return {
      type: message.videoMessage.gifPlayback ? 'gif' : 'video',
      media: message.videoMessage,
    };
  }
  if (message.audioMessage) {
    return { type: message.audioMessage.ptt ? 'ptt' : 'audio', media: message.audioMessage };
  }
  if (message.documentMessage) return { type: 'document', media: message.documentMessage };
  if (message.stickerMessage) return { type: 'sticker', media: message.stickerMessage };
  return null;
}

/** The `mediatype` an `enc` node carries for a media message (none for others). */
export function mediaTypeOf(message: proto.IMessage): string | null {
  return field(message)?.type ?? null;
}

/** The media a message carries, if it carries a key to open it with. */
export function mediaContent(message: proto.IMessage): MediaContent | null {
  const found = field(message);
  if (!found?.media.mediaKey) return null;
  const { media } = found;
  return {
    type: found.type === 'gif' ? 'video' : found.type === 'ptt' ? 'audio' : found.type,
    url: media.url ?? null,
    directPath: media.directPath ?? null,
    mediaKey: media.mediaKey as Uint8Array,
    fileSha256: media.fileSha256 ?? null,
    fileEncSha256: media.fileEncSha256 ?? null,
    fileLength:
      media.fileLength === null || media.fileLength === undefined ? null : Number(media.fileLength),
    mimetype: media.mimetype ?? null,
  };
}

/** The text a person would read: the body of a text message or a media caption. */
export function messageText(message: proto.IMessage): string | null {
  return (
    message.conversation ??
    message.extendedTextMessage?.text ??
    message.imageMessage?.caption ??
    message.videoMessage?.caption ??
    message.documentMessage?.caption ??
    null
  );
}

/** A message as protobuf JSON for the control API: bytes in base64, enums by name. */
export function messageJson(message: proto.IMessage): Record<string, unknown> {
  return proto.Message.toObject(proto.Message.fromObject(message), {
    bytes: String,
    longs: String,
    enums: String,
  }) as Record<string, unknown>;
}
