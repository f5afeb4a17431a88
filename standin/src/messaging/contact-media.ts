import { createHash } from 'node:crypto';
import type { StandinContext } from '../context.js';
import { decryptMedia } from '../media/crypto.js';
import type { MediaContent } from './content.js';

/**
 * A receiving device fetches the file from the media host over HTTPS (the
 * stand-in's own TLS listener, tagged as this device in the records), then
 * decrypts and checks it. Like Baileys, it prefers the direct path on the
 * fixed media host.
 */
export async function fetchMedia(
  ctx: StandinContext,
  party: string,
  media: MediaContent,
): Promise<{ sha256: string; size: number }> {
  const url = media.directPath ? `https://${ctx.options.mediaHost}${media.directPath}` : media.url;
  if (!url) throw new Error('media message has neither a direct path nor a URL');
  const file = await ctx.partyFetch.get(party, url);
  const plain = await decryptMedia(file, media.type, media);
  return { sha256: createHash('sha256').update(plain).digest('hex'), size: plain.length };
}
