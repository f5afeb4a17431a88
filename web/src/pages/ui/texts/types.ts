import type { Leg, RouteName } from '@pasarela/shared';
import type { ProtectionCause, ProtectionState } from '../indicator.js';
import type { NoticeKind } from '../notices.js';

export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Everything a restaurant page says, in one language. Written for staff, not engineers. */
export interface Texts {
  readonly language: Language;
  /** The language's own name, for the language switch. */
  readonly languageName: string;
  readonly state: Readonly<Record<ProtectionState, string>>;
  /** Headlines where the state's own would claim more than is known. */
  readonly headline: {
    /** This browser does not relay; another may. */
    readonly notJoined: string;
    /** `tunnel-only` and nobody relays: nothing goes through the server either. */
    readonly waitingForTab: string;
  };
  readonly cause: Readonly<Record<ProtectionCause, string>>;
  readonly meanwhile: { readonly server: string; readonly waiting: string };
  readonly flags: {
    readonly leaks: (count: number) => string;
    readonly unservable: (legs: string) => string;
    readonly paused: string;
    readonly waitingForTab: string;
  };
  /** Each leg as staff would say it, for lists ("the photos you receive"). */
  readonly legs: Readonly<Record<Leg, string>>;
  readonly routes: {
    readonly title: string;
    readonly route: Readonly<Record<RouteName, string>>;
    readonly roundTrip: (ms: number) => string;
  };
  readonly notices: Readonly<Record<Exclude<NoticeKind, 'leak' | 'leg'>, string>> & {
    readonly leak: (count: number) => string;
    readonly leg: (legs: string) => string;
  };
  readonly noticeTitle: string;
  readonly session: {
    readonly title: string;
    readonly states: Readonly<Record<string, string>>;
    readonly unknown: (state: string) => string;
    readonly none: string;
  };
  readonly consent: {
    readonly title: string;
    readonly body: readonly string[];
    readonly accept: string;
    readonly decline: string;
    readonly declinedBanner: string;
    readonly enable: string;
    readonly withdraw: string;
  };
  readonly controls: {
    readonly pause: string;
    readonly resume: string;
    readonly pauseHint: string;
    readonly details: string;
    readonly notificationsEnable: string;
    readonly notificationsOn: string;
    readonly notificationsBlocked: string;
    readonly notificationsUnavailable: string;
    readonly language: string;
    readonly dismiss: string;
    readonly skip: string;
  };
  readonly browser: {
    readonly paused: string;
    readonly title: string;
    readonly leader: string;
    readonly standby: string;
    readonly off: string;
    /** `amount` is already formatted, with its unit ("2.4 MB"). */
    readonly carried: (requests: number, amount: string) => string;
  };
  readonly history: { readonly title: string; readonly empty: string };
  readonly pages: {
    readonly dashboard: { readonly title: string; readonly connectLink: string };
    readonly kds: { readonly title: string; readonly orders: string };
    readonly connect: {
      readonly title: string;
      readonly intro: string;
      readonly qrTitle: string;
      readonly qrSteps: readonly string[];
      readonly qrAlt: string;
      readonly qrWaiting: string;
      readonly start: string;
      readonly codeTitle: string;
      readonly codeIntro: string;
      readonly phoneLabel: string;
      readonly codeAsk: string;
      readonly codeShown: (code: string) => string;
      readonly codeFailed: string;
      readonly connected: string;
      readonly backToDashboard: string;
    };
  };
  readonly errors: {
    readonly backend: string;
    readonly retry: string;
  };
}
