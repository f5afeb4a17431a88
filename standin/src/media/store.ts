import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { StandinError } from '../errors.js';

/** One stored encrypted media file, as uploaded (the stand-in never holds its key). */
export interface StoredMedia {
  readonly id: string;
  /** The uploader's account, or null for blobs the stand-in placed itself. */
  readonly account: string | null;
  /**
   * For a blob the stand-in placed itself: the account it was made for (a
   * contact's media, the phone's history or app-state blobs), so downloads of
   * it count as that account's. Null otherwise.
   */
  readonly audience: string | null;
  /** The upload path's media kind (`image`, `document`, …). */
  readonly kind: string;
  readonly bytes: Buffer;
  /** SHA-256 of the encrypted bytes, hex. */
  readonly sha256: string;
  /** The path part of `direct_path`, without query. */
  readonly pathname: string;
  /** `direct_path` as handed to the client, query included. */
  readonly directPath: string;
  readonly createdAt: string;
}

export type MediaSummary = Omit<StoredMedia, 'bytes'> & { readonly size: number };

/** Link lifetime in the `oe` parameter, as the CDN signs it. */
const LINK_TTL_SECONDS = 14 * 24 * 60 * 60;

/**
 * The media CDN's storage: content-addressed by the encrypted file's
 * SHA-256 (the upload token), served under signed direct paths shaped like
 * the real ones (`/v/t62.…/…enc?ccb=…&oh=…&oe=…&_nc_sid=…`).
 */
export class MediaStore {
  private readonly byHash = new Map<string, StoredMedia>();
  private readonly byPathname = new Map<string, StoredMedia>();
  private readonly secret = randomBytes(32);
  private bytesHeld = 0;

  constructor(private readonly limitBytes: number) {}

  put(
    bytes: Buffer,
    owner: { account: string | null; kind: string; audience?: string | null },
  ): StoredMedia {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const existing = this.byHash.get(sha256);
    if (existing) return existing;
    if (this.bytesHeld + bytes.length > this.limitBytes) {
      throw new StandinError('media_store_full', 'raise mediaStoreBytes or restart the stand-in', {
        held: this.bytesHeld,
        limit: this.limitBytes,
      });
    }
    const id = `${randomInt(1e8, 1e9)}_${randomInt(1e8, 1e9)}_${randomInt(1e8, 1e9)}_n`;
    const pathname = `/v/t62.7119-24/${id}.enc`;
    const expiry = (Math.floor(Date.now() / 1000) + LINK_TTL_SECONDS).toString(16).toUpperCase();
    const signature = this.sign(pathname, expiry);
    const directPath = `${pathname}?ccb=11-4&oh=${signature}&oe=${expiry}&_nc_sid=5e03e0`;
    const media: StoredMedia = {
      id,
      account: owner.account,
      audience: owner.audience ?? null,
      kind: owner.kind,
      bytes,
      sha256,
      pathname,
      directPath,
      createdAt: new Date().toISOString(),
    };
    this.byHash.set(sha256, media);
    this.byPathname.set(pathname, media);
    this.bytesHeld += bytes.length;
    return media;
  }

  byPath(pathname: string): StoredMedia | undefined {
    return this.byPathname.get(pathname);
  }

  /** Whether the link's `oh` signature matches its path and expiry, and it has not expired. */
  linkValid(pathname: string, oh: string | null, oe: string | null): boolean {
    if (oh === null || oe === null) return false;
    const expiry = Number.parseInt(oe, 16);
    if (!Number.isFinite(expiry) || expiry * 1000 < Date.now()) return false;
    return oh === this.sign(pathname, oe);
  }

  list(): MediaSummary[] {
    return [...this.byHash.values()].map(({ bytes, ...rest }) => ({ ...rest, size: bytes.length }));
  }

  private sign(pathname: string, expiry: string): string {
    const mac = createHmac('sha256', this.secret).update(`${pathname}|${expiry}`);
    return `01_${mac.digest('base64url').slice(0, 40)}`;
  }
}
