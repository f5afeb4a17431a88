import type { Leg } from '@pasarela/shared';
import type { Protection } from './indicator.js';

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

/** WhatsApp's main connection went through a restaurant's browser. */
function carried(protection: Protection): boolean {
  return (
    protection.state === 'protected' ||
    (protection.state === 'latency' && protection.meanwhile === null)
  );
}

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
    } else if (carried(previous) && notices.length === 0) {
      notices.push({ kind: 'protection-off' });
    }
  }
  return notices;
}

/** Whether a notice reports something going wrong (drives its look and urgency). */
export function isWarning(notice: Notice): boolean {
  return !['protection-on', 'protection-restored', 'resumed'].includes(notice.kind);
}

/** Notice kinds that cancel each other when both come within one burst of changes. */
const UNDONE: Readonly<Partial<Record<NoticeKind, readonly NoticeKind[]>>> = {
  'protection-restored': ['protection-off', 'slow'],
  'protection-on': ['protection-off'],
  resumed: ['paused'],
};

/** Notices that already say WhatsApp lost its protection, and why. */
const CAUSES: ReadonlySet<NoticeKind> = new Set(['paused', 'leak', 'leg', 'whatsapp-waiting']);

/**
 * The notices of one burst of changes (a pause, then the worker's word
 * that follows it; a blip that heals at once), reduced to what staff need:
 * a cause makes "protection off" redundant, a change undone within the
 * burst is dropped with its undoing, and a kind said twice is said once,
 * as it stands last.
 */
export function coalesceNotices(notices: readonly Notice[]): Notice[] {
  let kept: Notice[] = [];
  for (const notice of notices) {
    const undoes = UNDONE[notice.kind] ?? [];
    if (kept.some((earlier) => undoes.includes(earlier.kind))) {
      kept = kept.filter((earlier) => !undoes.includes(earlier.kind));
      continue;
    }
    kept = kept.filter((earlier) => earlier.kind !== notice.kind);
    kept.push(notice);
  }
  if (kept.some((notice) => CAUSES.has(notice.kind))) {
    kept = kept.filter((notice) => notice.kind !== 'protection-off');
  }
  return kept;
}
