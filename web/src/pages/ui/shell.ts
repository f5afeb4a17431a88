import { Backend } from './backend.js';
import type { PageConfig } from './backend.js';
import { ConsentView } from './consent-view.js';
import { ControlsView } from './controls-view.js';
import { describeNotice, describeProtection } from './describe.js';
import { fill, h, setText } from './dom.js';
import { pickLanguage, textsFor } from './i18n.js';
import type { Language, Texts } from './i18n.js';
import { protectionOf } from './indicator.js';
import type { Protection } from './indicator.js';
import { IndicatorView } from './indicator-view.js';
import { coalesceNotices, isWarning, noticesBetween } from './notices.js';
import type { Notice } from './notices.js';
import { NOTIFIER_DEFAULTS, Notifier } from './notifier.js';
import { Preferences } from './preferences.js';
import type { StorageLike } from './preferences.js';
import { RelayControl } from './relay.js';

export interface PageContext {
  readonly config: PageConfig;
  readonly backend: Backend;
  readonly relay: RelayControl;
  texts(): Texts;
  protection(): Protection;
  /** Runs now and again on every language or protection change. */
  onRender(render: () => void): void;
}

export interface PageSpec {
  readonly title: (texts: Texts) => string;
  /** The kitchen screen shows a larger badge and hides the details toggle's extras. */
  readonly compact?: boolean;
  readonly build: (context: PageContext, main: HTMLElement) => void;
}

function browserStorage(): StorageLike | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Reading `localStorage` throws where the browser blocks storage.
    return null;
  }
}

function sameProtection(a: Protection | null, b: Protection): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

/** Builds a restaurant page: header with the indicator and controls, consent, alerts, history. */
export async function mountPage(spec: PageSpec): Promise<void> {
  const root = document.getElementById('app') ?? document.body;
  const query = new URLSearchParams(location.search).get('lang');
  const storage = browserStorage();
  const backend = new Backend();
  let config: PageConfig;
  try {
    config = await backend.config();
  } catch (error) {
    const texts = textsFor(pickLanguage(query, new Preferences(storage, '-').language()));
    const retry = h('button', { type: 'button' }, texts.errors.retry);
    retry.addEventListener('click', () => location.reload());
    fill(
      root,
      h('div', { class: 'error', role: 'alert' }, h('p', {}, texts.errors.backend), retry),
    );
    console.error('page configuration:', (error as Error).message);
    return;
  }

  const preferences = new Preferences(storage, config.tenant);
  let texts = textsFor(pickLanguage(query, preferences.language()));
  const relay = new RelayControl({ config, preferences, getToken: () => backend.peerToken() });
  const renders: (() => void)[] = [];
  let protection = protectionOf(relay.view);
  let everProtected = false;

  const indicator = new IndicatorView({ compact: spec.compact ?? false });
  const announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  announcer.setAttribute('data-testid', 'announcer');
  const toasts = h('div', { class: 'toasts', 'data-testid': 'toasts' });
  const history = h('ol', { class: 'history-list', 'data-testid': 'history' });
  const historyTitle = h('h2', { id: 'history-title' });
  const notifier = new Notifier({
    toasts,
    tag: `pasarela:${config.tenant}`,
    toastMs: NOTIFIER_DEFAULTS.toastMs,
    Notification: typeof Notification === 'function' ? Notification : null,
    dismissLabel: () => texts.controls.dismiss,
    title: () => `${texts.noticeTitle} · ${config.restaurant}`,
    language: () => texts.language,
    shown: () => renderHistory(),
  });
  const controls = new ControlsView(texts, {
    pause: () => relay.pause(),
    resume: () => relay.resume(),
    enableAlerts: () => notifier.enable(),
    alertPermission: () => notifier.permission(),
    language: (language: Language) => {
      preferences.setLanguage(language);
      texts = textsFor(language);
      renderAll();
    },
  });
  const consent = new ConsentView(texts, {
    accept: () => relay.accept(),
    decline: () => relay.decline(),
  });
  const heading = h('h1', {});
  const skip = h('a', { class: 'skip-link', href: '#main' });
  const main = h('main', { id: 'main', tabindex: '-1' });

  const renderHistory = () => {
    setText(historyTitle, texts.history.title);
    const items = notifier.delivered.map((entry) =>
      h(
        'li',
        {
          'data-notice': entry.notice.kind,
          'data-channel': entry.channel,
          'data-shown': String(entry.shown),
          class: entry.warning ? 'warning' : undefined,
        },
        h('time', { datetime: new Date(entry.at).toISOString() }, clock(entry.at, texts.language)),
        ' ',
        h('span', { class: 'notice-text' }, describeNotice(entry.notice, texts)),
      ),
    );
    fill(
      history,
      ...(items.length > 0 ? items : [h('li', { class: 'empty' }, texts.history.empty)]),
    );
  };

  function renderAll(): void {
    document.documentElement.lang = texts.language;
    document.title = `${spec.title(texts)} · ${config.restaurant}`;
    setText(heading, `${config.restaurant} · ${spec.title(texts)}`);
    setText(skip, texts.controls.skip);
    indicator.render(protection, texts);
    controls.render(texts);
    controls.setRelay(relay.view.joined, relay.view.state === 'paused' || preferences.paused());
    consent.render(texts);
    renderHistory();
    for (const render of renders) render();
  }

  const burst: Notice[] = [];
  let burstTimer: ReturnType<typeof setTimeout> | null = null;
  const tellBurst = () => {
    burstTimer = null;
    const told = coalesceNotices(burst.splice(0));
    for (const notice of told) {
      notifier.deliver(notice, describeNotice(notice, texts), isWarning(notice));
    }
    if (told.length > 0) {
      announcer.textContent = told.map((notice) => describeNotice(notice, texts)).join(' ');
    }
    renderHistory();
  };

  relay.events.on('change', (view) => {
    const next = protectionOf(view);
    controls.setRelay(
      view.joined,
      view.state === 'paused' || (view.state === null && preferences.paused()),
    );
    if (sameProtection(protection, next)) return;
    const previous = protection;
    protection = next;
    const notices = noticesBetween(previous, next, everProtected);
    if (next.state === 'protected' || next.state === 'latency') everProtected = true;
    burst.push(...notices);
    if (notices.length > 0 && burstTimer === null) {
      burstTimer = setTimeout(tellBurst, NOTIFIER_DEFAULTS.burstMs);
    }
    if (previous.state !== next.state) {
      const words = describeProtection(next, texts);
      announcer.textContent = `${words.headline}. ${words.explanation}`;
    }
    indicator.render(protection, texts);
    renderHistory();
    for (const render of renders) render();
  });

  // Staff answered in another tab of this browser: that answer holds here too.
  addEventListener('storage', (event) => {
    if (event.key !== preferences.key('consent')) return;
    relay.choicesChanged();
    const choice = relay.consent;
    if (choice !== null) consent.settled(choice === 'declined');
  });

  fill(
    root,
    skip,
    h(
      'header',
      { class: `bar${spec.compact ? ' bar-compact' : ''}` },
      heading,
      indicator.element,
      controls.element,
    ),
    consent.banner,
    main,
    h('aside', { class: 'history', 'aria-labelledby': 'history-title' }, historyTitle, history),
    toasts,
    announcer,
    consent.dialog,
  );

  const context: PageContext = {
    config,
    backend,
    relay,
    texts: () => texts,
    protection: () => protection,
    onRender: (render) => {
      renders.push(render);
      render();
    },
  };
  spec.build(context, main);
  renderAll();

  const choice = relay.consent;
  if (choice === null) consent.ask();
  consent.showDeclined(choice === 'declined');
  relay.start();
}

function clock(at: number, language: string): string {
  return new Date(at).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
}
