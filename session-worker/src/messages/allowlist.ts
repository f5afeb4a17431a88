import { parseIPv4, parseIPv6 } from '@pasarela/shared';

/**
 * The operator's allowlist for URLs the worker fetches (media, link
 * previews) and webhooks: entries that may be reached although they resolve
 * to loopback, private, link-local or metadata addresses. Empty by default.
 *
 * Entries, separated by commas or spaces: a host name (`media.internal`), a
 * suffix pattern (`*.internal`, one or more labels), an address
 * (`10.0.0.7`, `fd00::7`) or a CIDR block (`10.0.0.0/24`, `fd00::/64`).
 */
export interface Allowlist {
  readonly size: number;
  /** Whether the host as written in the URL, or the address it resolved to, is named. */
  allows(host: string, address: string): boolean;
}

type Entry =
  | { readonly kind: 'host'; readonly name: string }
  | { readonly kind: 'suffix'; readonly suffix: string }
  | { readonly kind: 'block'; readonly bits: number[]; readonly prefix: number };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** An address as 32 or 128 bits, most significant first; null when it is not a literal. */
export function addressBits(text: string): number[] | null {
  const v4 = parseIPv4(text);
  if (v4) return v4.flatMap((byte) => toBits(byte, 8));
  const v6 = parseIPv6(text);
  if (!v6) return null;
  // An IPv4-mapped IPv6 address is matched as the IPv4 address it carries.
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff].flatMap((b) => toBits(b, 8));
  }
  return v6.flatMap((group) => toBits(group, 16));
}

function toBits(value: number, width: number): number[] {
  const bits: number[] = [];
  for (let i = width - 1; i >= 0; i--) bits.push((value >> i) & 1);
  return bits;
}

function parseEntry(raw: string): Entry {
  const text = raw.toLowerCase();
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const bits = addressBits(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    const prefix = Number(prefixText);
    if (!bits || !/^\d{1,3}$/.test(prefixText) || prefix > bits.length) {
      throw new Error(`"${raw}" is not a CIDR block`);
    }
    return { kind: 'block', bits, prefix };
  }
  const bits = addressBits(text);
  if (bits) return { kind: 'block', bits, prefix: bits.length };
  if (text.startsWith('*.')) {
    const suffix = text.slice(2);
    if (!HOST_NAME.test(suffix)) throw new Error(`"${raw}" is not a host pattern`);
    return { kind: 'suffix', suffix: `.${suffix}` };
  }
  // All-numeric labels would read as an address to a resolver (`999.1.1.1`).
  if (!HOST_NAME.test(text) || /^[\d.]+$/.test(text)) {
    throw new Error(`"${raw}" is not a host, address or CIDR block`);
  }
  return { kind: 'host', name: text };
}

/** Parses the allowlist text; a bad entry throws naming it. */
export function parseAllowlist(text: string): Allowlist {
  const entries = text
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map(parseEntry);
  return {
    size: entries.length,
    allows(host, address) {
      if (entries.length === 0) return false;
      const name = host.toLowerCase().replace(/\.$/, '');
      const bits = addressBits(address);
      return entries.some((entry) => {
        if (entry.kind === 'host') return entry.name === name;
        if (entry.kind === 'suffix') return name.endsWith(entry.suffix);
        if (!bits || bits.length !== entry.bits.length) return false;
        for (let i = 0; i < entry.prefix; i++) if (bits[i] !== entry.bits[i]) return false;
        return true;
      });
    },
  };
}
