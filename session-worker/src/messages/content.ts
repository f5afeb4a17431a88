import type { AnyMessageContent } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ApiSettings } from '../config/index.js';
import type { ServiceMetrics } from '../ops/metrics.js';
import { FetchError } from './fetch-errors.js';
import type { GuardedFetcher } from './guarded-fetch.js';
import { guardedLinkPreview } from './link-preview.js';
import type { MediaSend, SendRequest } from './requests.js';

export type ContentSettings = Pick<
  ApiSettings,
  | 'mediaMaxBytes'
  | 'mediaFetchTimeoutMs'
  | 'mediaMaxRedirects'
  | 'linkPreviews'
  | 'linkPreviewMaxBytes'
>;

export interface ContentContext {
  readonly fetcher: GuardedFetcher;
  readonly settings: ContentSettings;
  /** The tenant's egress dispatcher: every fetch for the tenant goes through it. */
  readonly dispatcher: Dispatcher | undefined;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics | undefined;
}

const DEFAULT_MIMETYPES: Record<string, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  sticker: 'image/webp',
};

/**
 * Turns a validated send request into Baileys content. Only bytes ever
 * reach Baileys: its own loader fetches any URL and opens any other string
 * as a local file, so a caller's URL is fetched here, through the guard and
 * the tenant's egress, and a text's link preview is either off (`null`
 * stops Baileys from making one) or made here the same guarded way.
 */
export async function buildContent(
  request: SendRequest,
  context: ContentContext,
): Promise<AnyMessageContent> {
  if (request.kind === 'text') {
    let linkPreview = null;
    if (request.linkPreview && context.settings.linkPreviews === 'guarded') {
      linkPreview = await guardedLinkPreview(request.text, context.fetcher, {
        maxBytes: context.settings.linkPreviewMaxBytes,
        timeoutMs: context.settings.mediaFetchTimeoutMs,
        maxRedirects: context.settings.mediaMaxRedirects,
        dispatcher: context.dispatcher,
      }).catch((error: unknown) => {
        context.logger.info(
          { code: (error as { code?: string }).code },
          'link preview not made; sending the text without it',
        );
        return null;
      });
    }
    return { text: request.text, linkPreview };
  }
  const { bytes, contentType } = await mediaBytes(request, context);
  const mimetype = request.mimetype ?? contentType ?? DEFAULT_MIMETYPES[request.kind];
  switch (request.kind) {
    case 'image':
      return { image: bytes, mimetype, ...caption(request) };
    case 'video':
      return {
        video: bytes,
        mimetype,
        ...caption(request),
        ...(request.gifPlayback ? { gifPlayback: true } : {}),
      };
    case 'audio':
      return { audio: bytes, mimetype: mimetype ?? 'audio/ogg; codecs=opus', ptt: !!request.ptt };
    case 'document':
      return {
        document: bytes,
        mimetype: mimetype ?? 'application/octet-stream',
        fileName: request.fileName ?? 'file',
        ...caption(request),
      };
    case 'sticker':
      return { sticker: bytes, mimetype };
  }
}

function caption(request: MediaSend): { caption?: string } {
  return request.caption ? { caption: request.caption } : {};
}

async function mediaBytes(
  request: MediaSend,
  context: ContentContext,
): Promise<{ bytes: Buffer; contentType: string | undefined }> {
  const max = context.settings.mediaMaxBytes;
  if ('bytes' in request.media) {
    if (request.media.bytes.length > max) {
      throw new FetchError(
        'media_too_large',
        `${request.media.bytes.length} bytes; the cap is ${max}`,
        {
          maxBytes: max,
        },
      );
    }
    return { bytes: request.media.bytes, contentType: undefined };
  }
  try {
    const fetched = await context.fetcher.get(request.media.url, {
      maxBytes: max,
      timeoutMs: context.settings.mediaFetchTimeoutMs,
      maxRedirects: context.settings.mediaMaxRedirects,
      dispatcher: context.dispatcher,
    });
    context.metrics?.mediaFetches.inc({ outcome: 'ok' });
    context.metrics?.mediaFetchBytes.inc(fetched.bytes.length);
    context.logger.debug(
      { url: fetched.finalUrl, bytes: fetched.bytes.length, redirects: fetched.redirects },
      'media fetched',
    );
    const type = fetched.contentType?.split(';')[0]?.trim();
    return {
      bytes: fetched.bytes,
      contentType: type && type !== 'application/octet-stream' ? type : undefined,
    };
  } catch (error) {
    context.metrics?.mediaFetches.inc({
      outcome: error instanceof FetchError ? error.code : 'fetch_failed',
    });
    throw error;
  }
}
