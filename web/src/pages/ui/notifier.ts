import { h } from './dom.js';
import type { Notice } from './notices.js';

export type NoticeChannel = 'system' | 'toast';

export interface DeliveredNotice {
  readonly notice: Notice;
  readonly warning: boolean;
  readonly at: number;
  channel: NoticeChannel;
  /** The system said it showed the notification (its `show` event). */
  shown: boolean;
}

export type AlertPermission = NotificationPermission | 'unsupported';

type NotificationCtor = typeof Notification;

export interface NotifierOptions {
  /** Where toasts appear. */
  readonly toasts: HTMLElement;
  /** One tag per tenant: the system shows the latest change once, whichever tab sent it. */
  readonly tag: string;
  readonly toastMs: number;
  /** The browser's `Notification`, or null where there is none. */
  readonly Notification: NotificationCtor | null;
  readonly dismissLabel: () => string;
  readonly title: () => string;
  readonly language: () => string;
  /** A system notification was shown (or a toast put up): the history may say so. */
  readonly shown: () => void;
}

export const NOTIFIER_DEFAULTS = {
  toastMs: 10_000,
  kept: 20,
  /**
   * Notices within this long of the first are told together: a pause and
   * the worker's word after it are one event to staff, a blip that heals
   * at once is none.
   */
  burstMs: 1_500,
} as const;

/**
 * Tells staff about a change: a system notification once they allowed it
 * (seen even when this tab is behind others), an in-page toast otherwise or
 * when the system one cannot be made. Every notice is kept for the page's
 * history, with the way it went out.
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly delivered: DeliveredNotice[] = [];

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  permission(): AlertPermission {
    return this.#options.Notification ? this.#options.Notification.permission : 'unsupported';
  }

  /** Must run from a click: browsers ignore permission requests made without one. */
  async enable(): Promise<AlertPermission> {
    const Ctor = this.#options.Notification;
    if (!Ctor) return 'unsupported';
    return Ctor.requestPermission();
  }

  deliver(notice: Notice, text: string, warning: boolean, now = Date.now()): DeliveredNotice {
    const delivered: DeliveredNotice = { notice, warning, at: now, channel: 'toast', shown: false };
    if (this.#system(text, delivered)) {
      delivered.channel = 'system';
    } else {
      this.#toast(text, warning);
      delivered.shown = true;
    }
    this.delivered.unshift(delivered);
    this.delivered.splice(NOTIFIER_DEFAULTS.kept);
    return delivered;
  }

  #system(text: string, delivered: { shown: boolean }): boolean {
    const Ctor = this.#options.Notification;
    if (!Ctor || Ctor.permission !== 'granted') return false;
    try {
      const notification = new Ctor(this.#options.title(), {
        body: text,
        tag: this.#options.tag,
        lang: this.#options.language(),
      });
      notification.addEventListener('show', () => {
        delivered.shown = true;
        this.#options.shown();
      });
      return true;
    } catch {
      // Chrome on Android allows notifications only from a Service Worker
      // and throws here; the page falls back to its own toast.
      return false;
    }
  }

  #toast(text: string, warning: boolean): void {
    const close = h(
      'button',
      { type: 'button', class: 'toast-close', 'aria-label': this.#options.dismissLabel() },
      '×',
    );
    const toast = h(
      'div',
      { class: `toast${warning ? ' toast-warning' : ''}` },
      h('p', {}, text),
      close,
    );
    const remove = () => toast.remove();
    close.addEventListener('click', remove);
    setTimeout(remove, this.#options.toastMs);
    this.#options.toasts.prepend(toast);
  }
}
