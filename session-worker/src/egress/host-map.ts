import { isIP } from 'node:net';
import { normalizeHost } from '@pasarela/shared';
import { EgressConfigError } from './errors.js';

/**
 * Development host map: exact names or `*.suffix` patterns to `host:port`,
 * e.g. `{ 'web.whatsapp.com': '127.0.0.1:41001', '*.whatsapp.net':
 * '127.0.0.1:41001' }`. Only the TCP address changes; the real name stays
 * the TLS server name, the certificate check and the Host header.
 */
export type HostMap = Record<string, string>;

export interface MappedAddress {
  readonly host: string;
  readonly port: number;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

export class CompiledHostMap {
  readonly #exact = new Map<string, MappedAddress>();
  /** Longest suffix first, so `*.media.whatsapp.net` wins over `*.whatsapp.net`. */
  readonly #suffixes: Array<{ suffix: string; address: MappedAddress }> = [];

  constructor(entries: Iterable<[string, MappedAddress]>) {
    for (const [pattern, address] of entries) {
      if (pattern.startsWith('*.')) this.#suffixes.push({ suffix: pattern.slice(1), address });
      else this.#exact.set(pattern, address);
    }
    this.#suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  get size(): number {
    return this.#exact.size + this.#suffixes.length;
  }

  /** Where to open TCP for `host`, or undefined when the map leaves it alone. */
  resolve(host: string): MappedAddress | undefined {
    const name = normalizeHost(host);
    const exact = this.#exact.get(name);
    if (exact) return exact;
    // `*.whatsapp.net` covers names under it, not `whatsapp.net` itself.
    return this.#suffixes.find(({ suffix }) => name.endsWith(suffix))?.address;
  }
}

/**
 * Checks and compiles a host map, naming the bad entry as
 * `<setting>["<pattern>"]`.
 */
export function compileHostMap(map: unknown, setting = 'hostMap'): CompiledHostMap {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new EgressConfigError(setting, 'must be an object of host name to "host:port"');
  }
  const entries: Array<[string, MappedAddress]> = [];
  const seen = new Set<string>();
  for (const [rawPattern, target] of Object.entries(map)) {
    const where = `${setting}[${JSON.stringify(rawPattern)}]`;
    const pattern = checkPattern(rawPattern, where);
    if (seen.has(pattern)) throw new EgressConfigError(where, 'is listed twice');
    seen.add(pattern);
    entries.push([pattern, parseAddress(target, where)]);
  }
  return new CompiledHostMap(entries);
}

function checkPattern(raw: string, where: string): string {
  const pattern = normalizeHost(raw);
  const name = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  if (name.length === 0 || name.length > 253 || !HOST_NAME.test(name)) {
    throw new EgressConfigError(where, 'is not a host name or a "*.suffix" pattern');
  }
  if (isIP(name) !== 0) {
    throw new EgressConfigError(where, 'maps an address; the map is keyed by host name');
  }
  return pattern;
}

/** Parses `host:port`, `[v6]:port`; the host is an address or a name. */
export function parseAddress(target: unknown, where: string): MappedAddress {
  if (typeof target !== 'string') {
    throw new EgressConfigError(where, 'must be a "host:port" string');
  }
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(target.trim());
  if (!match) throw new EgressConfigError(where, `"${target}" is not "host:port"`);
  const [, v6, name, portText] = match;
  const port = Number(portText);
  if (port < 1 || port > 65_535) throw new EgressConfigError(where, `port ${port} is out of range`);
  if (v6 !== undefined) {
    if (isIP(v6) !== 6) throw new EgressConfigError(where, `"${v6}" is not an IPv6 address`);
    return { host: v6, port };
  }
  const host = normalizeHost(name ?? '');
  if (isIP(host) === 0 && !HOST_NAME.test(host)) {
    throw new EgressConfigError(where, `"${name}" is not an address or host name`);
  }
  return { host, port };
}
