import { isIP } from 'node:net';
import { isWhatsAppHost } from '@pasarela/shared';
import { ExtensionError } from './errors.js';

/** One origin of the restaurant's pages, as the manifest and the rules need it. */
export interface PageOrigin {
  /** As configured, e.g. `https://orders.example.com` or `https://*.example.com`. */
  readonly origin: string;
  /** The host name without `*.`: what `initiatorDomains` takes. */
  readonly domain: string;
  /** `*.example.com`: the domain and every name under it. */
  readonly wildcard: boolean;
  /** The match pattern that grants the page's origin, e.g. `https://orders.example.com/*`. */
  readonly hostPermission: string;
}

/** A build for installation by policy from the operator's own server instead of the Web Store. */
export interface SelfHosting {
  /** Where the update manifest (`update.xml`) will be served; goes into the manifest. */
  readonly updateUrl: string;
  /** Where the packed extension (`.crx`) will be served; goes into the update manifest. */
  readonly crxUrl: string;
  /** The operator's private key (PEM) that signs the `.crx` and fixes the extension's id. */
  readonly keyFile: string;
}

export interface ExtensionConfig {
  readonly pageOrigins: readonly PageOrigin[];
  readonly selfHosting: SelfHosting | null;
}

const MAX_ORIGINS = 32;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function fail(field: string, message: string): never {
  throw new ExtensionError('bad_config', message, field);
}

function isDomainName(host: string): boolean {
  const labels = host.split('.');
  return labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

/**
 * One page origin: https only (the pages need a secure context, and an
 * https page reaches WhatsApp only over https and wss), a host name and
 * optionally a port, nothing after the origin. `https://*.example.com`
 * covers every restaurant's subdomain.
 */
export function parsePageOrigin(value: unknown, field: string): PageOrigin {
  if (typeof value !== 'string') fail(field, 'must be a string such as https://orders.example.com');
  const match = /^https:\/\/(\*\.)?([^/:?#@]+)(:\d{1,5})?\/?$/.exec(value.trim());
  if (!match) {
    fail(field, `"${value}" is not an https origin (https://host or https://*.domain, no path)`);
  }
  const wildcard = match[1] !== undefined;
  const domain = match[2]!.toLowerCase();
  const port = match[3] ?? '';
  if (port && (Number(port.slice(1)) < 1 || Number(port.slice(1)) > 65_535)) {
    fail(field, `"${value}" has no valid port`);
  }
  if (isIP(domain) !== 0)
    fail(field, `"${value}": the pages are served under a name, not an address`);
  if (!isDomainName(domain)) fail(field, `"${value}" does not name a host`);
  if (isWhatsAppHost(domain))
    fail(field, `"${value}" is WhatsApp's own host, not a page of the restaurant`);
  const origin = `https://${wildcard ? '*.' : ''}${domain}${port}`;
  return { origin, domain, wildcard, hostPermission: `${origin}/*` };
}

function parseHttpsUrl(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, 'must be an https URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(field, `"${value}" is not a URL`);
  }
  if (url.protocol !== 'https:') fail(field, `"${value}" must use https`);
  return url.href;
}

function parseSelfHosting(value: unknown): SelfHosting | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) fail('selfHosting', 'must be an object');
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!['updateUrl', 'crxUrl', 'keyFile'].includes(key)) {
      fail(`selfHosting.${key}`, 'is not a known setting (updateUrl, crxUrl, keyFile)');
    }
  }
  const keyFile = input.keyFile;
  if (typeof keyFile !== 'string' || keyFile.trim() === '') {
    fail('selfHosting.keyFile', 'must name the PEM file of the key that signs the .crx');
  }
  return {
    updateUrl: parseHttpsUrl(input.updateUrl, 'selfHosting.updateUrl'),
    crxUrl: parseHttpsUrl(input.crxUrl, 'selfHosting.crxUrl'),
    keyFile,
  };
}

/**
 * Validates the build's configuration, naming the bad field:
 * `{ pageOrigins: string[], selfHosting?: { updateUrl, crxUrl, keyFile } }`.
 */
export function parseExtensionConfig(input: unknown): ExtensionConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('config', 'must be an object with pageOrigins');
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (key !== 'pageOrigins' && key !== 'selfHosting' && key !== '$comment') {
      fail(key, 'is not a known setting (pageOrigins, selfHosting)');
    }
  }
  const list = body.pageOrigins;
  if (!Array.isArray(list) || list.length === 0) {
    fail('pageOrigins', "must list the origins of the restaurant's pages, at least one");
  }
  if (list.length > MAX_ORIGINS) fail('pageOrigins', `lists more than ${MAX_ORIGINS} origins`);
  const seen = new Set<string>();
  const pageOrigins: PageOrigin[] = [];
  list.forEach((value, index) => {
    const parsed = parsePageOrigin(value, `pageOrigins[${index}]`);
    if (seen.has(parsed.origin))
      fail(`pageOrigins[${index}]`, `"${parsed.origin}" is listed twice`);
    seen.add(parsed.origin);
    pageOrigins.push(parsed);
  });
  return { pageOrigins, selfHosting: parseSelfHosting(body.selfHosting) };
}

/** The origins from the environment variable: comma-separated, blanks ignored. */
export function originsFromEnv(value: string | undefined): string[] | null {
  if (value === undefined || value.trim() === '') return null;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
