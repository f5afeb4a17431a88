import { ANY_TENANT, fromBase64Url, TOKEN_PREFIX } from '@pasarela/shared';

/**
 * What the dashboard reads of a token before using it. The signature is
 * the room's to check: this only lets the page refuse, in words, a token
 * that can never open the dashboard, without sending it anywhere.
 */
export interface TokenView {
  readonly role: string;
  readonly tenant: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

export type TokenVerdict =
  | { readonly ok: true; readonly view: TokenView; readonly everyTenant: boolean }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'not-admin' | 'expired';
      readonly role?: string;
    };

export function readToken(token: string): TokenView | null {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [claims, mac, ...rest] = token.slice(TOKEN_PREFIX.length).split('.');
  if (!claims || !mac || rest.length > 0) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(fromBase64Url(claims))) as {
      rol?: unknown;
      ten?: unknown;
      exp?: unknown;
    };
    if (typeof value.rol !== 'string' || typeof value.ten !== 'string') return null;
    if (typeof value.exp !== 'number') return null;
    return { role: value.rol, tenant: value.ten, expiresAt: value.exp };
  } catch {
    return null;
  }
}

/** Whether a token can open the dashboard: an admin token, still valid. */
export function judgeToken(token: string, nowMs: number): TokenVerdict {
  const view = readToken(token.trim());
  if (!view) return { ok: false, reason: 'malformed' };
  if (view.role !== 'admin') return { ok: false, reason: 'not-admin', role: view.role };
  if (view.expiresAt * 1000 <= nowMs) return { ok: false, reason: 'expired', role: view.role };
  return { ok: true, view, everyTenant: view.tenant === ANY_TENANT };
}
