import type { Leg } from '@pasarela/shared';
import type { Protection, ProtectionState } from './indicator.js';

/** What staff are told when protection changes, one kind per sentence. */
export type Notice =
  | { readonly kind: 'protection-on' }
  | { readonly kind: 'protection-restored' }
  | { readonly kind: 'protection-off' }
  | { readonly kind: 'slow' }
  | { readonly kind: 'leak'; readonly leaks: number }
  | { readonly kind: 'leg'; readonly legs: readonly Leg[] }
  | { readonly kind: 'paused' }
  | { readonly kind: 'resumed' }
  | { readonly kind: 'whatsapp-waiting' };

export type NoticeKind = Notice['kind'];

const CARRIED: ReadonlySet<ProtectionState> = new Set(['protected', 'latency']);

/**
 * The notices one change of the indicator calls for. Nothing on the first
 * reading (a page that opens is not a change). A notice about a cause
 * (a pause, a leak, a leg, WhatsApp waiting) already says what happened to
 * protection, so the general "protection off" is left out beside it.
 */
export function noticesBetween(
  previous: Protection | null,
  next: Protection,
  wasEverProtected: boolean,
): Notice[] {
  if (previous === null) return [];
  const notices: Notice[] = [];
  const before = previous.flags;
  const now = next.flags;
  if (now.leaks > before.leaks) notices.push({ kind: 'leak', leaks: now.leaks });
  const newLegs = now.unservable.filter((leg) => !before.unservable.includes(leg));
  if (newLegs.length > 0) notices.push({ kind: 'leg', legs: newLegs });
  if (now.paused && !before.paused) notices.push({ kind: 'paused' });
  if (!now.paused && before.paused) notices.push({ kind: 'resumed' });
  if (now.waitingForTab && !before.waitingForTab) notices.push({ kind: 'whatsapp-waiting' });

  if (next.state !== previous.state) {
    if (next.state === 'protected') {
      notices.push({ kind: wasEverProtected ? 'protection-restored' : 'protection-on' });
    } else if (next.state === 'latency') {
      notices.push({ kind: 'slow' });
    } else if (CARRIED.has(previous.state) && notices.length === 0) {
      notices.push({ kind: 'protection-off' });
    }
  }
  return notices;
}

/** Whether a notice reports something going wrong (drives its look and urgency). */
export function isWarning(notice: Notice): boolean {
  return !['protection-on', 'protection-restored', 'resumed'].includes(notice.kind);
}
