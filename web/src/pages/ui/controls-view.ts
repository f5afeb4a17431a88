import { fill, h } from './dom.js';
import { LANGUAGES, textsFor } from './i18n.js';
import type { Language, Texts } from './i18n.js';
import type { AlertPermission } from './notifier.js';

export interface ControlsHandlers {
  pause(): void;
  resume(): void;
  enableAlerts(): Promise<AlertPermission>;
  alertPermission(): AlertPermission;
  language(language: Language): void;
}

/** Pause and resume, system alerts, and the language: each a plain, labelled control. */
export class ControlsView {
  readonly element: HTMLElement;
  readonly #pause: HTMLButtonElement;
  readonly #pauseHint: HTMLElement;
  readonly #alerts: HTMLButtonElement;
  readonly #alertNote: HTMLElement;
  readonly #languageLabel: HTMLElement;
  readonly #language: HTMLSelectElement;
  readonly #handlers: ControlsHandlers;
  #paused = false;
  #texts: Texts;

  constructor(texts: Texts, handlers: ControlsHandlers) {
    this.#texts = texts;
    this.#handlers = handlers;
    this.#pause = h('button', { type: 'button', class: 'pause', 'data-testid': 'pause' });
    this.#pauseHint = h('span', { class: 'hint', id: 'pause-hint' });
    this.#pause.setAttribute('aria-describedby', 'pause-hint');
    this.#pause.addEventListener('click', () => {
      if (this.#paused) this.#handlers.resume();
      else this.#handlers.pause();
    });
    this.#alerts = h('button', { type: 'button', 'data-testid': 'alerts' });
    this.#alertNote = h('span', { class: 'hint', role: 'note' });
    this.#alerts.addEventListener('click', () => {
      void this.#handlers.enableAlerts().then(() => this.render(this.#texts));
    });
    this.#language = h('select', { id: 'language', 'data-testid': 'language' });
    for (const language of LANGUAGES) {
      this.#language.append(h('option', { value: language }, textsFor(language).languageName));
    }
    this.#language.addEventListener('change', () => {
      this.#handlers.language(this.#language.value as Language);
    });
    this.#languageLabel = h('label', { for: 'language' });
    this.element = h(
      'div',
      { class: 'controls' },
      h('div', { class: 'control' }, this.#pause, this.#pauseHint),
      h('div', { class: 'control' }, this.#alerts, this.#alertNote),
      h('div', { class: 'control' }, this.#languageLabel, this.#language),
    );
  }

  /** `joined`: this browser relays, so pausing means something. */
  setRelay(joined: boolean, paused: boolean): void {
    this.#paused = paused;
    this.#pause.hidden = !joined;
    this.#pauseHint.hidden = !joined || paused;
    this.#pause.setAttribute('aria-pressed', String(paused));
    this.#pause.textContent = paused ? this.#texts.controls.resume : this.#texts.controls.pause;
  }

  render(texts: Texts): void {
    this.#texts = texts;
    this.#language.value = texts.language;
    this.#languageLabel.textContent = texts.controls.language;
    this.#pauseHint.textContent = texts.controls.pauseHint;
    this.setRelay(!this.#pause.hidden, this.#paused);
    const permission = this.#handlers.alertPermission();
    this.#alerts.hidden = permission !== 'default' && permission !== 'granted';
    this.#alerts.disabled = permission === 'granted';
    this.#alerts.textContent =
      permission === 'granted'
        ? texts.controls.notificationsOn
        : texts.controls.notificationsEnable;
    const note =
      permission === 'denied'
        ? texts.controls.notificationsBlocked
        : permission === 'unsupported'
          ? texts.controls.notificationsUnavailable
          : '';
    fill(this.#alertNote, note);
  }
}
