import { SessionWatch } from './session-watch.js';
import { describeSession } from './ui/describe.js';
import { fill, h, setText } from './ui/dom.js';
import { mountPage } from './ui/shell.js';
import type { PageContext } from './ui/shell.js';

/** How often the dashboard asks the backend for the session's state when no status is heard. */
const SESSION_POLL_MS = 15_000;

function amount(bytes: number): string {
  return bytes >= 1_048_576
    ? `${(bytes / 1_048_576).toFixed(1)} MB`
    : `${Math.ceil(bytes / 1024)} KB`;
}

function sessionCard(context: PageContext): HTMLElement {
  const title = h('h2', {});
  const state = h('p', { 'data-testid': 'session' });
  const unreachable = h('p', { class: 'hint', role: 'alert' });
  const link = h('a', { href: '/whatsapp-connect' });
  const card = h('section', { class: 'card' }, title, state, unreachable, link);
  const watch = new SessionWatch(context.backend, SESSION_POLL_MS);
  const render = () => {
    const texts = context.texts();
    const session = context.protection().session ?? watch.status;
    setText(title, texts.session.title);
    setText(state, describeSession(session, texts));
    setText(link, texts.pages.dashboard.connectLink);
    link.hidden = session === 'connected';
    // The room's word stands on its own; the backend matters only without it.
    const failed = watch.failed && context.protection().session === null;
    setText(unreachable, failed ? texts.errors.backend : '');
    unreachable.hidden = !failed;
  };
  watch.on(render);
  watch.start();
  context.onRender(render);
  return card;
}

function browserCard(context: PageContext): HTMLElement {
  const title = h('h2', {});
  const role = h('p', { 'data-testid': 'browser-role' });
  const carried = h('p', {});
  const withdraw = h('button', { type: 'button' });
  withdraw.addEventListener('click', () => context.relay.decline());
  const card = h('section', { class: 'card' }, title, role, carried, withdraw);
  const render = () => {
    const texts = context.texts();
    const view = context.relay.view;
    setText(title, texts.browser.title);
    const text =
      view.state === 'paused'
        ? texts.browser.paused
        : view.role === 'leader'
          ? texts.browser.leader
          : view.role === 'standby'
            ? texts.browser.standby
            : texts.browser.off;
    setText(role, text);
    const stats = context.relay.peer?.stats();
    if (stats) {
      const exchanges =
        stats.streams.succeeded + Object.values(stats.streams.failed).reduce((a, b) => a + b, 0);
      const bytes = stats.upstreamBytesSent + stats.upstreamBytesReceived;
      fill(carried, texts.browser.carried(exchanges, amount(bytes)));
    } else {
      fill(carried);
    }
    withdraw.hidden = !view.joined;
    setText(withdraw, texts.consent.withdraw);
  };
  context.relay.events.on('change', render);
  context.relay.events.on('peer', (peer) => {
    peer?.on('stream-end', render);
    render();
  });
  context.onRender(render);
  return card;
}

void mountPage({
  title: (texts) => texts.pages.dashboard.title,
  build(context, main) {
    main.append(h('div', { class: 'cards' }, sessionCard(context), browserCard(context)));
  },
});
