import dns from 'node:dns/promises';
import net from 'node:net';
import { classifyAddress } from '@pasarela/shared';
import type { CompiledHostMap } from '../egress/index.js';
import type { Allowlist } from './allowlist.js';
import { FetchError } from './fetch-errors.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a name to every address it has; `dns.lookup` (the system resolver) by default. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  readonly allowlist: Allowlist;
  /** The development host map: names it covers resolve to its address, as connections do. */
  readonly hostMap?: CompiledHostMap | undefined;
  readonly resolve?: Resolver;
}

/** What the guard found a URL may reach, for one hop. */
export interface GuardVerdict {
  readonly url: URL;
  /** The host name as written, lower case, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** Every address the connection may use; each one passed. */
  readonly addresses: readonly ResolvedAddress[];
  /** Some address passed only because the operator's allowlist names it. */
  readonly allowlisted: boolean;
  /** The development host map decided the address. */
  readonly mapped: boolean;
}

const systemResolve: Resolver = async (host) => {
  const found = await dns.lookup(host, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/**
 * Decides whether the worker may fetch a URL a caller gave it (media, a
 * link preview, a webhook). Only `https:`; no credentials in the URL; and
 * every address the host resolves to must be public unless the operator's
 * allowlist names the host or the address. Loopback, private, link-local,
 * metadata and the other special blocks are refused. Called again for each
 * redirect, so a public URL cannot bounce the worker into its own network.
 */
export class UrlGuard {
  readonly #allowlist: Allowlist;
  readonly #hostMap: CompiledHostMap | undefined;
  readonly #resolve: Resolver;

  constructor(options: UrlGuardOptions) {
    this.#allowlist = options.allowlist;
    this.#hostMap = options.hostMap;
    this.#resolve = options.resolve ?? systemResolve;
  }

  /** Parses caller text as a URL; anything but an absolute https URL is refused. */
  parse(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new FetchError('url_not_allowed', 'not an absolute URL');
    }
    this.#checkShape(url);
    return url;
  }

  async check(url: URL): Promise<GuardVerdict> {
    this.#checkShape(url);
    const host = url.hostname
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '');
    const port = url.port === '' ? 443 : Number(url.port);
    const mapped = net.isIP(host) === 0 ? this.#hostMap?.resolve(host) : undefined;
    let addresses: ResolvedAddress[];
    const target = mapped?.host ?? host;
    if (net.isIP(target) !== 0) {
      addresses = [{ address: target, family: net.isIP(target) === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await this.#resolve(target);
      } catch (error) {
        throw new FetchError('fetch_failed', `${host} did not resolve`, { host }, error);
      }
      if (addresses.length === 0) {
        throw new FetchError('fetch_failed', `${host} has no address`, { host });
      }
    }
    let allowlisted = false;
    for (const { address } of addresses) {
      const kind = classifyAddress(address) ?? 'reserved';
      if (kind === 'public') continue;
      if (this.#allowlist.allows(host, address)) {
        allowlisted = true;
        continue;
      }
      throw new FetchError('host_not_allowed', `${host} resolves to a ${kind} address`, {
        host,
        addressClass: kind,
      });
    }
    return {
      url,
      host,
      port: mapped?.port ?? port,
      addresses,
      allowlisted,
      mapped: mapped !== undefined,
    };
  }

  #checkShape(url: URL): void {
    if (url.protocol !== 'https:') {
      throw new FetchError('url_not_allowed', `${url.protocol} URLs are refused; use https`, {
        scheme: url.protocol.replace(/:$/, ''),
      });
    }
    if (url.username !== '' || url.password !== '') {
      throw new FetchError('url_not_allowed', 'URLs with credentials are refused', {
        host: url.hostname,
      });
    }
  }
}

/** A URL as it may appear in logs and errors: origin and path, never the query. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
