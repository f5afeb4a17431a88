import { h } from './dom.js';
import type { Notice } from './notices.js';

export type NoticeChannel = 'system' | 'toast';

export interface DeliveredNotice {
  readonly notice: Notice;
  readonly warning: boolean;
  readonly at: number;
  readonly channel: NoticeChannel;
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
}

export const NOTIFIER_DEFAULTS = { toastMs: 10_000, kept: 20 } as const;

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
    const channel = this.#system(text) ? 'system' : 'toast';
    if (channel === 'toast') this.#toast(text, warning);
    const delivered = { notice, warning, at: now, channel } as const;
    this.delivered.unshift(delivered);
    this.delivered.splice(NOTIFIER_DEFAULTS.kept);
    return delivered;
  }

  #system(text: string): boolean {
    const Ctor = this.#options.Notification;
    if (!Ctor || Ctor.permission !== 'granted') return false;
    try {
      new Ctor(this.#options.title(), {
        body: text,
        tag: this.#options.tag,
        lang: this.#options.language(),
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
