import type { WAUrlInfo } from '@whiskeysockets/baileys';
import type { Dispatcher } from 'undici';
import type { GuardedFetcher } from './guarded-fetch.js';

export interface LinkPreviewLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly dispatcher?: Dispatcher | undefined;
}

const URL_IN_TEXT = /https:\/\/[^\s<>"']+/i;

/**
 * A link preview made the guarded way: the worker fetches the page itself
 * (every hop checked, size and time capped, through the tenant's egress)
 * and reads its title and description. Baileys' own preview code would
 * fetch with no guard and no dispatcher, so it never runs. No thumbnail:
 * making one needs an image library the worker does not ship.
 */
export async function guardedLinkPreview(
  text: string,
  fetcher: GuardedFetcher,
  limits: LinkPreviewLimits,
): Promise<WAUrlInfo | null> {
  const matched = URL_IN_TEXT.exec(text)?.[0]?.replace(/[.,;:!?)]+$/, '');
  if (!matched) return null;
  const page = await fetcher.get(matched, limits);
  if (!/^text\/html\b|^application\/xhtml\+xml\b/i.test(page.contentType ?? '')) return null;
  const html = page.bytes.toString('utf8');
  const title = meta(html, 'og:title') ?? tagText(html, 'title');
  if (!title) return null;
  const description = meta(html, 'og:description') ?? meta(html, 'description');
  return {
    'canonical-url': matched,
    'matched-text': matched,
    title,
    ...(description ? { description } : {}),
  };
}

function meta(html: string, name: string): string | undefined {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const key = /\b(?:property|name)\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (key?.toLowerCase() !== name) continue;
    const content = /\bcontent\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1];
    if (content) return decodeEntities(content).trim().slice(0, 300);
  }
  return undefined;
}

function tagText(html: string, tag: string): string | undefined {
  const found = new RegExp(`<${tag}\\b[^>]*>([^<]*)</${tag}>`, 'i').exec(html)?.[1];
  const text = found ? decodeEntities(found).trim() : '';
  return text === '' ? undefined : text.slice(0, 300);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
