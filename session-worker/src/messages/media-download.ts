import {
  downloadMediaMessage,
  getContentType,
  normalizeMessageContent,
  type proto,
} from '@whiskeysockets/baileys';
import { isWhatsAppHost } from '@pasarela/shared';
import type { Logger } from 'pino';
import { ApiError } from '../api/errors.js';
import type { RecordStore } from '../records/index.js';
import type { SessionManager } from '../session/index.js';
import { decodeMessage } from './inbound.js';

export interface DownloadedMedia {
  readonly bytes: Buffer;
  readonly mimetype: string;
  readonly fileName: string | null;
}

/**
 * Downloads a received message's media through the tenant's egress.
 * Baileys' `downloadMediaMessage` does not inherit the socket's options, so
 * the dispatcher is passed here; and since the sender chose the message's
 * `url`, a media host that is not WhatsApp's is refused before any fetch.
 */
export async function downloadReceivedMedia(
  tenant: string,
  messageId: string,
  deps: { records: RecordStore; manager: SessionManager; logger: Logger },
): Promise<DownloadedMedia> {
  const stored = await deps.records.getInbound(tenant, messageId);
  if (!stored) throw new ApiError('message_not_found', undefined, { messageId });
  const message = decodeMessage(stored.raw);
  const content = normalizeMessageContent(message.message ?? undefined);
  const type = content ? getContentType(content) : undefined;
  const media = (type ? content?.[type as keyof proto.IMessage] : undefined) as
    { url?: string | null; mimetype?: string | null; fileName?: string | null } | undefined;
  if (!media || typeof media !== 'object' || !('mediaKey' in media)) {
    throw new ApiError('not_media', undefined, { messageId });
  }
  if (media.url) {
    let host = '';
    try {
      host = new URL(media.url).hostname;
    } catch {
      host = '';
    }
    if (!isWhatsAppHost(host)) {
      throw new ApiError('media_host_not_allowed', undefined, { messageId, host });
    }
  }
  const egress = deps.manager.egress(tenant);
  if (!egress) {
    throw new ApiError('media_download_failed', 'the session does not run on this worker', {
      messageId,
    });
  }
  try {
    const bytes = (await downloadMediaMessage(
      message,
      'buffer',
      { options: { dispatcher: egress.dispatcher } as RequestInit },
      {
        logger: deps.logger as never,
        reuploadRequest: (m) =>
          deps.manager.withSocket(tenant, (sock) => sock.updateMediaMessage(m)),
      },
    )) as Buffer;
    return {
      bytes,
      mimetype: media.mimetype ?? 'application/octet-stream',
      fileName: media.fileName ?? null,
    };
  } catch (error) {
    deps.logger.warn(
      { tenant, messageId, err: { message: (error as Error).message } },
      'media download failed',
    );
    throw new ApiError('media_download_failed', undefined, { messageId });
  }
}
