/** What to do with Baileys' side of a tunneled WebSocket when its upstream closed. */
export type ClientClose =
  | { readonly kind: 'close'; readonly code: number | undefined; readonly reason: string }
  | { readonly kind: 'terminate' };

/** WsClose carries at most 123 characters of reason (RFC 6455, section 5.5: 125 bytes). */
const MAX_REASON = 123;

function sendable(code: number): boolean {
  // RFC 6455, section 7.4: 1004-1006 and 1015 are never sent in a close frame.
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * The upstream's close as Baileys should see it: the same code and reason
 * when a close frame may carry it; no code for 1005 (the upstream sent
 * none); a dropped connection (1006 and anything unsendable) as a dropped
 * connection, so Baileys reads it exactly as it would have read it direct.
 */
export function closeForClient(code: number, reason: string): ClientClose {
  if (code === 1005) return { kind: 'close', code: undefined, reason: '' };
  if (!sendable(code)) return { kind: 'terminate' };
  return { kind: 'close', code, reason: reason.slice(0, MAX_REASON) };
}

/**
 * Baileys' close as the WsClose frame to the peer: its code when a close
 * frame may carry it, else 1000 (no status given, or the connection to the
 * egress dropped), with the reason cut to what a close frame holds.
 */
export function closeForUpstream(code: number, reason: string): { code: number; reason: string } {
  return { code: sendable(code) ? code : 1000, reason: reason.slice(0, MAX_REASON) };
}
