import {
  DEFAULT_CONNECTION_CONFIG,
  fetchLatestWaWebVersion,
  type WAVersion,
} from '@whiskeysockets/baileys';
import type { Dispatcher } from 'undici';
import type { SessionConfig } from './config.js';

/** The WhatsApp Web version a socket announces, and where it came from. */
export interface WebVersion {
  readonly version: WAVersion;
  /** `sw.js`: read through a tenant's egress; `bundled`: Baileys' own, after a failed read. */
  readonly source: 'sw.js' | 'bundled';
  /** When it was read or the read failed (epoch ms). */
  readonly at: number;
  /** Why the read failed, for the warning; never a URL with credentials (sw.js has none). */
  readonly error?: string;
}

/** Baileys 7.0.0-rc14's bundled version, used when `sw.js` cannot be read. */
export const BUNDLED_VERSION: WAVersion = [...DEFAULT_CONNECTION_CONFIG.version];

type Fetcher = typeof fetchLatestWaWebVersion;

export interface WebVersionOptions {
  readonly config: Pick<
    SessionConfig,
    'versionCacheTtlMs' | 'versionRetryMs' | 'versionFetchTimeoutMs'
  >;
  /** Told once per failed read; the source then hands out the bundled version. */
  readonly onFallback?: (version: WebVersion) => void;
  readonly now?: () => number;
  /** Baileys' own reader unless a test swaps it. */
  readonly fetcher?: Fetcher;
}

/**
 * The WhatsApp Web version for new sockets, read from
 * `https://web.whatsapp.com/sw.js` with Baileys' own `fetchLatestWaWebVersion`.
 * In rc14 that function spreads its argument into the `fetch` options, so the
 * tenant's egress dispatcher and an abort signal pass straight through; it
 * never throws, answering the bundled version with `isLatest: false` instead.
 * One read serves every tenant of the process until `versionCacheTtlMs`
 * passes; concurrent starts share the read in flight; after a failure the
 * bundled version is used for `versionRetryMs` before the next try.
 */
export class WebVersionSource {
  private cached: { value: WebVersion; until: number } | undefined;
  private reading: Promise<WebVersion> | undefined;

  constructor(private readonly options: WebVersionOptions) {}

  /** The version to connect with; reads `sw.js` through `dispatcher` when the cache is stale. */
  get(dispatcher: Dispatcher): Promise<WebVersion> {
    const now = this.now();
    if (this.cached && now < this.cached.until) return Promise.resolve(this.cached.value);
    this.reading ??= this.read(dispatcher).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** The version last handed out, if any. */
  get current(): WebVersion | undefined {
    return this.cached?.value;
  }

  private async read(dispatcher: Dispatcher): Promise<WebVersion> {
    const { config } = this.options;
    const fetcher = this.options.fetcher ?? fetchLatestWaWebVersion;
    const result = await fetcher({
      dispatcher,
      signal: AbortSignal.timeout(config.versionFetchTimeoutMs),
    } as RequestInit);
    const at = this.now();
    if (result.isLatest) {
      const value: WebVersion = { version: [...result.version], source: 'sw.js', at };
      this.cached = { value, until: at + config.versionCacheTtlMs };
      return value;
    }
    const value: WebVersion = {
      version: [...BUNDLED_VERSION],
      source: 'bundled',
      at,
      error: describe(result.error),
    };
    this.cached = { value, until: at + config.versionRetryMs };
    this.options.onFallback?.(value);
    return value;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.message}${detail}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : 'unknown error';
}
