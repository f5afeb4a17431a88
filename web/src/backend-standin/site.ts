import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** Short page names to the built HTML files (see web/vite.config.ts). */
export const PAGE_ROUTES: Readonly<Record<string, string>> = Object.freeze({
  '/dashboard': 'pages/dashboard.html',
  '/kds': 'pages/kds.html',
  '/whatsapp-connect': 'pages/whatsapp-connect.html',
  '/admin/': 'dashboard/index.html',
});

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface SiteFile {
  readonly body: Buffer;
  readonly type: string;
  /** Hashed asset names never change content: they may be cached for good. */
  readonly immutable: boolean;
}

/**
 * The built site: pages under their short names, hashed assets under
 * `/assets/`, nothing outside the folder (a path that climbs out is not
 * found, not served).
 */
export class Site {
  readonly #root: string;

  constructor(root: string) {
    this.#root = normalize(root);
  }

  async file(pathname: string): Promise<SiteFile | null> {
    const page = PAGE_ROUTES[pathname];
    const relative = page ?? (pathname.startsWith('/assets/') ? pathname.slice(1) : null);
    if (relative === null) return null;
    const full = normalize(join(this.#root, relative));
    if (!full.startsWith(this.#root + sep)) return null;
    try {
      const body = await readFile(full);
      return {
        body,
        type: TYPES[extname(full)] ?? 'application/octet-stream',
        immutable: page === undefined,
      };
    } catch {
      return null;
    }
  }
}

export interface PolicyOrigins {
  /** The room's origin for the peer's WebSocket and the dashboard's reads. */
  readonly room: readonly string[];
  /** Development stand-in endpoints the peer may reach instead of WhatsApp. */
  readonly devHosts: readonly string[];
  /** The operator's dashboard may be pointed at any room over https. */
  readonly anyHttpsRoom?: boolean;
}

/**
 * The pages' Content-Security-Policy: scripts and styles of this site
 * only, and connections only to this site, the room, and WhatsApp's own
 * hosts (where the peer relays). A script injected into a page could not
 * send anything elsewhere.
 */
export function contentSecurityPolicy(origins: PolicyOrigins): string {
  const connect = [
    "'self'",
    ...origins.room,
    'https://*.whatsapp.net',
    'https://*.whatsapp.com',
    'wss://*.whatsapp.net',
    'wss://*.whatsapp.com',
    ...origins.devHosts,
    ...(origins.anyHttpsRoom ? ['https:'] : []),
  ];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}
