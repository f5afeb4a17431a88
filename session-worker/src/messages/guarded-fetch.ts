import tls from 'node:tls';
import type { LookupAddress } from 'node:dns';
import { Agent, fetch, type Dispatcher, type Response } from 'undici';
import { FetchError } from './fetch-errors.js';
import { describeUrl, type GuardVerdict, type UrlGuard } from './url-guard.js';

export interface GuardedFetchOptions {
  readonly guard: UrlGuard;
  /** Extra PEM authorities trusted on top of Node's roots (the worker's CA files). */
  readonly ca?: string | Buffer | undefined;
  readonly userAgent?: string;
}

export interface FetchLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  /**
   * The tenant's egress dispatcher: public targets go through it (it checks
   * the addresses it connects to once more). Without one, every target is
   * reached by a connection pinned to the addresses the guard checked.
   */
  readonly dispatcher?: Dispatcher | undefined;
}

export interface FetchedBody {
  readonly bytes: Buffer;
  readonly contentType: string | null;
  /** The URL of the last hop, for logs: origin and path only. */
  readonly finalUrl: string;
  readonly redirects: number;
}

export interface PostOptions {
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The worker's fetches of URLs that callers name. Every hop passes the
 * guard before a connection is opened; a target admitted only by the
 * allowlist is reached by a connection pinned to the checked addresses, so
 * a name that answers differently a moment later gains nothing. Bodies are
 * capped while they stream, and one deadline covers redirects and body.
 */
export class GuardedFetcher {
  readonly #guard: UrlGuard;
  readonly #context: tls.SecureContext | undefined;
  readonly #userAgent: string;

  constructor(options: GuardedFetchOptions) {
    this.#guard = options.guard;
    this.#context =
      options.ca === undefined
        ? undefined
        : tls.createSecureContext({ ca: [...tls.rootCertificates, options.ca.toString()] });
    this.#userAgent = options.userAgent ?? 'pasarela-session-worker';
  }

  get guard(): UrlGuard {
    return this.#guard;
  }

  /** GETs a caller's URL, following redirects through the guard, and returns its bytes. */
  async get(text: string, limits: FetchLimits): Promise<FetchedBody> {
    let url = this.#guard.parse(text);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limits.timeoutMs);
    timer.unref();
    const opened: Agent[] = [];
    try {
      for (let hop = 0; ; hop++) {
        const verdict = await this.#guard.check(url);
        const dispatcher = this.#dispatcherFor(verdict, limits.dispatcher, opened);
        const response = await this.#send(url, dispatcher, abort.signal, {
          method: 'GET',
          headers: { accept: '*/*' },
        });
        const location = response.headers.get('location');
        if (REDIRECTS.has(response.status) && location !== null) {
          await response.body?.cancel().catch(() => undefined);
          if (hop >= limits.maxRedirects) {
            throw new FetchError(
              'too_many_redirects',
              `${describeUrl(url)} redirected more than ${limits.maxRedirects} times`,
              { host: url.hostname },
            );
          }
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            throw new FetchError('url_not_allowed', 'a redirect named no valid URL');
          }
          url = this.#guard.parse(next.href);
          continue;
        }
        if (response.status < 200 || response.status > 299) {
          await response.body?.cancel().catch(() => undefined);
          throw new FetchError('fetch_status', `${describeUrl(url)} answered ${response.status}`, {
            host: url.hostname,
            status: response.status,
          });
        }
        const bytes = await readCapped(response, limits.maxBytes, url, abort.signal);
        return {
          bytes,
          contentType: response.headers.get('content-type'),
          finalUrl: describeUrl(url),
          redirects: hop,
        };
      }
    } catch (error) {
      throw asFetchError(error, url, abort.signal.aborted, limits.timeoutMs);
    } finally {
      clearTimeout(timer);
      for (const agent of opened) void agent.close().catch(() => undefined);
    }
  }

  /** POSTs to a checked URL (webhooks): no redirects followed; returns status and a short body. */
  async post(text: string, options: PostOptions): Promise<{ status: number; body: string }> {
    const url = this.#guard.parse(text);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), options.timeoutMs);
    timer.unref();
    const opened: Agent[] = [];
    try {
      const verdict = await this.#guard.check(url);
      const dispatcher = this.#dispatcherFor(verdict, undefined, opened);
      const response = await this.#send(url, dispatcher, abort.signal, {
        method: 'POST',
        headers: options.headers,
        body: options.body,
      });
      const body = await readCapped(response, 4_096, url, abort.signal, true);
      return { status: response.status, body: body.toString('utf8') };
    } catch (error) {
      throw asFetchError(error, url, abort.signal.aborted, options.timeoutMs);
    } finally {
      clearTimeout(timer);
      for (const agent of opened) void agent.close().catch(() => undefined);
    }
  }

  #dispatcherFor(
    verdict: GuardVerdict,
    tenant: Dispatcher | undefined,
    opened: Agent[],
  ): Dispatcher {
    // The egress refuses non-public addresses by design, so a target the
    // allowlist admitted is reached here, pinned to what was checked.
    if (tenant && (!verdict.allowlisted || verdict.mapped)) return tenant;
    const addresses: LookupAddress[] = verdict.addresses.map((a) => ({
      address: a.address,
      family: a.family,
    }));
    const agent = new Agent({
      connect: {
        ...(this.#context ? { secureContext: this.#context } : {}),
        lookup: (_host, options, callback) => {
          if ((options as { all?: boolean }).all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
      } as Agent.Options['connect'],
    });
    opened.push(agent);
    return agent;
  }

  async #send(
    url: URL,
    dispatcher: Dispatcher,
    signal: AbortSignal,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<Response> {
    return fetch(url, {
      ...init,
      headers: { 'user-agent': this.#userAgent, ...init.headers },
      dispatcher,
      redirect: 'manual',
      signal,
    });
  }
}

async function readCapped(
  response: Response,
  maxBytes: number,
  url: URL,
  signal: AbortSignal,
  truncate = false,
): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (!truncate && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(
      'media_too_large',
      `${describeUrl(url)} declares ${declared} bytes; the cap is ${maxBytes}`,
      { host: url.hostname, maxBytes },
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      if (truncate) break;
      throw new FetchError(
        'media_too_large',
        `${describeUrl(url)} sent more than ${maxBytes} bytes`,
        { host: url.hostname, maxBytes },
      );
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function asFetchError(error: unknown, url: URL, aborted: boolean, timeoutMs: number): FetchError {
  if (error instanceof FetchError) return error;
  if (aborted) {
    return new FetchError(
      'fetch_timeout',
      `${describeUrl(url)} did not finish within ${timeoutMs} ms`,
      { host: url.hostname, timeoutMs },
    );
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause?.code === 'host_not_allowed') {
    return new FetchError('host_not_allowed', `${url.hostname} is not a public address`, {
      host: url.hostname,
    });
  }
  const why = typeof cause?.code === 'string' ? cause.code : 'connection failed';
  return new FetchError(
    'fetch_failed',
    `${describeUrl(url)}: ${why}`,
    { host: url.hostname },
    error,
  );
}
