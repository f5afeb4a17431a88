import type { Leg } from '@pasarela/shared';
import type { Protection, ProtectionCause } from './indicator.js';
import type { Notice } from './notices.js';
import type { Texts } from './texts/types.js';

const LEGS: readonly Leg[] = ['websocket', 'download', 'upload'];

/** Causes whose sentence already says where WhatsApp goes. */
const SAYS_ROUTE: ReadonlySet<ProtectionCause> = new Set([
  'policy-direct',
  'leak',
  'leg',
  'partial',
]);

/** The indicator in words: what the page shows and what the live region reads out. */
export interface ProtectionWords {
  readonly headline: string;
  /** Why, then what happens meanwhile. */
  readonly explanation: string;
  /** One line per flag that is raised. */
  readonly flags: readonly string[];
  /** One line per leg, once the routes are known. */
  readonly routes: readonly string[];
  readonly roundTrip: string | null;
}

function legList(legs: readonly Leg[], texts: Texts): string {
  return legs.map((leg) => texts.legs[leg]).join(', ');
}

export function describeProtection(protection: Protection, texts: Texts): ProtectionWords {
  const { flags } = protection;
  const parts = [texts.cause[protection.cause]];
  // The waiting flag says it already, in the same words.
  const saysMeanwhile = !flags.waitingForTab && !SAYS_ROUTE.has(protection.cause);
  if (protection.meanwhile && saysMeanwhile) parts.push(texts.meanwhile[protection.meanwhile]);
  const flagLines: string[] = [];
  if (flags.leaks > 0) flagLines.push(texts.flags.leaks(flags.leaks));
  if (flags.unservable.length > 0) {
    flagLines.push(texts.flags.unservable(legList(flags.unservable, texts)));
  }
  if (flags.paused) flagLines.push(texts.flags.paused);
  if (flags.waitingForTab) flagLines.push(texts.flags.waitingForTab);
  const routes = protection.routes;
  return {
    headline: flags.waitingForTab
      ? texts.headline.waitingForTab
      : protection.cause === 'not-joined'
        ? texts.headline.notJoined
        : texts.state[protection.state],
    explanation: parts.join(' '),
    flags: flagLines,
    routes: routes
      ? LEGS.map((leg) => `${capitalise(texts.legs[leg])}: ${texts.routes.route[routes[leg]]}`)
      : [],
    roundTrip: protection.rttMs === null ? null : texts.routes.roundTrip(protection.rttMs),
  };
}

export function describeNotice(notice: Notice, texts: Texts): string {
  switch (notice.kind) {
    case 'leak':
      return texts.notices.leak(notice.leaks);
    case 'leg':
      return texts.notices.leg(legList(notice.legs, texts));
    default:
      return texts.notices[notice.kind];
  }
}

export function describeSession(session: string | null, texts: Texts): string {
  if (session === null) return texts.session.none;
  return texts.session.states[session] ?? texts.session.unknown(session);
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}
