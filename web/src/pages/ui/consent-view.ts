import { fill, h } from './dom.js';
import type { Texts } from './texts/types.js';

export interface ConsentHandlers {
  accept(): void;
  decline(): void;
}

/**
 * The opt-in: before this browser relays anything, staff read in plain
 * words that the tab will carry the restaurant's WhatsApp traffic, and say
 * yes or no. Escape closes it without a choice, so it is asked again next
 * time; yes and no are kept.
 */
export class ConsentView {
  readonly dialog: HTMLDialogElement;
  readonly banner: HTMLElement;
  readonly #handlers: ConsentHandlers;

  constructor(texts: Texts, handlers: ConsentHandlers) {
    this.#handlers = handlers;
    this.dialog = h('dialog', {
      class: 'consent',
      'aria-labelledby': 'consent-title',
      'aria-describedby': 'consent-body',
      'data-testid': 'consent',
    });
    this.banner = h('div', { class: 'banner', role: 'region', hidden: true });
    this.banner.setAttribute('data-testid', 'consent-banner');
    this.render(texts);
  }

  render(texts: Texts): void {
    const accept = h(
      'button',
      { type: 'button', class: 'primary', autofocus: true },
      texts.consent.accept,
    );
    const decline = h('button', { type: 'button' }, texts.consent.decline);
    accept.addEventListener('click', () => this.#choose('accept'));
    decline.addEventListener('click', () => this.#choose('decline'));
    fill(
      this.dialog,
      h('h2', { id: 'consent-title' }, texts.consent.title),
      h('div', { id: 'consent-body' }, ...texts.consent.body.map((line) => h('p', {}, line))),
      h('div', { class: 'actions' }, accept, decline),
    );
    const enable = h('button', { type: 'button', class: 'primary' }, texts.consent.enable);
    enable.addEventListener('click', () => this.ask());
    fill(this.banner, h('p', {}, texts.consent.declinedBanner), enable);
  }

  ask(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** Staff chose in another tab: the question is closed here too. */
  settled(declined: boolean): void {
    if (this.dialog.open) this.dialog.close();
    this.showDeclined(declined);
  }

  showDeclined(declined: boolean): void {
    this.banner.hidden = !declined;
  }

  #choose(choice: 'accept' | 'decline'): void {
    this.dialog.close();
    if (choice === 'accept') this.#handlers.accept();
    else this.#handlers.decline();
    this.showDeclined(choice === 'decline');
  }
}
