import { SessionWatch } from './session-watch.js';
import { describeSession } from './ui/describe.js';
import { fill, h, setText } from './ui/dom.js';
import { mountPage } from './ui/shell.js';
import type { PageContext } from './ui/shell.js';

/** While linking, the state is asked for often: the QR rotates and a scan should show at once. */
const SESSION_POLL_MS = 2_000;
/** Baileys shows a new QR about every 20 s; the image is fetched again well within that. */
const QR_REFRESH_MS = 5_000;

const LINKABLE = new Set(['stopped', 'logged_out', 'failed', null]);

function qrSection(context: PageContext, watch: SessionWatch): HTMLElement {
  const title = h('h2', {});
  const steps = h('ol', {});
  const image = h('img', { class: 'qr', width: 264, height: 264, 'data-testid': 'qr' });
  const waiting = h('p', { class: 'hint' });
  const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'start' });
  let serial = 0;
  let lastFetch = 0;
  start.addEventListener('click', () => {
    start.disabled = true;
    void context.backend
      .startSession()
      .catch(() => undefined)
      .finally(() => {
        start.disabled = false;
        watch.refresh();
      });
  });
  const render = () => {
    const texts = context.texts();
    const session = watch.status;
    setText(title, texts.pages.connect.qrTitle);
    fill(steps, ...texts.pages.connect.qrSteps.map((step) => h('li', {}, step)));
    image.alt = texts.pages.connect.qrAlt;
    setText(waiting, texts.pages.connect.qrWaiting);
    setText(start, texts.pages.connect.start);
    const showing = session === 'qr';
    image.hidden = !showing;
    waiting.hidden = showing || !(session === 'starting' || session === 'reconnecting');
    start.hidden = !LINKABLE.has(session);
    if (showing && Date.now() - lastFetch >= QR_REFRESH_MS) {
      serial += 1;
      lastFetch = Date.now();
      image.src = context.backend.qrImageUrl(serial);
    }
  };
  watch.on(render);
  context.onRender(render);
  return h('section', { class: 'card' }, title, steps, image, waiting, start);
}

function codeSection(context: PageContext): HTMLElement {
  const title = h('h2', {});
  const intro = h('p', {});
  const label = h('label', { for: 'phone' });
  const phone = h('input', {
    id: 'phone',
    type: 'tel',
    autocomplete: 'tel',
    inputmode: 'tel',
    pattern: '\\+?[0-9 ]{8,20}',
    required: true,
  });
  const ask = h('button', { type: 'submit' });
  const result = h('p', { role: 'status', 'data-testid': 'pairing-code' });
  const form = h('form', { class: 'pairing' }, label, phone, ask);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ask.disabled = true;
    const digits = phone.value.replace(/[^0-9]/g, '');
    void context.backend
      .pairingCode(digits)
      .then((code) => setText(result, context.texts().pages.connect.codeShown(code)))
      .catch(() => setText(result, context.texts().pages.connect.codeFailed))
      .finally(() => (ask.disabled = false));
  });
  context.onRender(() => {
    const texts = context.texts();
    setText(title, texts.pages.connect.codeTitle);
    setText(intro, texts.pages.connect.codeIntro);
    setText(label, texts.pages.connect.phoneLabel);
    setText(ask, texts.pages.connect.codeAsk);
  });
  return h('section', { class: 'card' }, title, intro, form, result);
}

void mountPage({
  title: (texts) => texts.pages.connect.title,
  build(context, main) {
    const watch = new SessionWatch(context.backend, SESSION_POLL_MS);
    const intro = h('p', {});
    const status = h('p', { class: 'session-state', 'data-testid': 'session' });
    const back = h('a', { href: '/dashboard' });
    const done = h('p', { class: 'done', 'data-testid': 'connected' });
    const unreachable = h('p', { class: 'hint', role: 'alert' });
    main.append(
      intro,
      status,
      unreachable,
      done,
      back,
      h('div', { class: 'cards' }, qrSection(context, watch), codeSection(context)),
    );
    const render = () => {
      const texts = context.texts();
      setText(intro, texts.pages.connect.intro);
      setText(status, `${texts.session.title}: ${describeSession(watch.status, texts)}`);
      setText(done, texts.pages.connect.connected);
      setText(back, texts.pages.connect.backToDashboard);
      done.hidden = watch.status !== 'connected';
      setText(unreachable, watch.failed ? texts.errors.backend : '');
      unreachable.hidden = !watch.failed;
    };
    watch.on(render);
    context.onRender(render);
    watch.start();
  },
});
