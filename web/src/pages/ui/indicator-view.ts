import { describeProtection } from './describe.js';
import { fill, h, setText } from './dom.js';
import type { Protection, ProtectionState } from './indicator.js';
import type { Texts } from './texts/types.js';

/** A shape per state, so the state reads without colour too. */
const ICONS: Readonly<Record<ProtectionState, string>> = {
  protected: '✓',
  latency: '◔',
  reconnecting: '↻',
  server: '!',
};

let nextId = 0;

/**
 * The indicator: a coloured badge with an icon and the state in words, a
 * sentence on why, a line per raised flag, and details (the route of each
 * leg, the round trip) behind a button that keyboards reach like any other.
 */
export class IndicatorView {
  readonly element: HTMLElement;
  readonly #badge: HTMLButtonElement;
  readonly #icon: HTMLElement;
  readonly #headline: HTMLElement;
  readonly #explanation: HTMLElement;
  readonly #flags: HTMLElement;
  readonly #details: HTMLElement;
  readonly #compact: boolean;

  constructor(options: { compact?: boolean } = {}) {
    nextId += 1;
    const detailsId = `protection-details-${nextId}`;
    this.#compact = options.compact ?? false;
    this.#icon = h('span', { class: 'protection-icon', 'aria-hidden': 'true' });
    this.#headline = h('span', { class: 'protection-headline' });
    this.#badge = h(
      'button',
      {
        type: 'button',
        class: 'protection-badge',
        'aria-expanded': 'false',
        'aria-controls': detailsId,
      },
      this.#icon,
      this.#headline,
    );
    this.#explanation = h('p', { class: 'protection-explanation' });
    this.#flags = h('ul', { class: 'protection-flags' });
    this.#details = h('div', { class: 'protection-details', id: detailsId, hidden: true });
    this.#badge.addEventListener('click', () => this.toggle());
    this.element = h(
      'section',
      { class: 'protection', 'data-testid': 'protection' },
      this.#badge,
      this.#explanation,
      this.#flags,
      this.#details,
    );
  }

  toggle(open = this.#details.hidden): void {
    this.#details.hidden = !open;
    this.#badge.setAttribute('aria-expanded', String(open));
  }

  render(protection: Protection, texts: Texts): void {
    const words = describeProtection(protection, texts);
    const { dataset } = this.element;
    dataset['state'] = protection.state;
    dataset['cause'] = protection.cause;
    dataset['paused'] = String(protection.flags.paused);
    dataset['leaks'] = String(protection.flags.leaks);
    dataset['unservable'] = protection.flags.unservable.join(' ');
    dataset['waitingForTab'] = String(protection.flags.waitingForTab);
    this.element.classList.toggle('protection-compact', this.#compact);
    setText(this.#icon, ICONS[protection.state]);
    setText(this.#headline, words.headline);
    this.#badge.title = texts.controls.details;
    setText(this.#explanation, words.explanation);
    fill(this.#flags, ...words.flags.map((line) => h('li', {}, line)));
    fill(
      this.#details,
      words.routes.length > 0 ? h('h3', {}, texts.routes.title) : null,
      words.routes.length > 0
        ? h('ul', {}, ...words.routes.map((line) => h('li', {}, line)))
        : null,
      words.roundTrip ? h('p', {}, words.roundTrip) : null,
    );
  }
}
