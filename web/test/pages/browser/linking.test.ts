import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsOf } from '../../../../session-worker/test/tunnel/support/stack.js';
import type { Device, Tab } from '../support/device.js';
import { BOUNDS, PagesStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * Linking WhatsApp from the connect page (the QR and a pairing code passed
 * through the restaurant's backend), and a `tunnel-only` restaurant: it
 * links through its own tab, and when that tab closes, WhatsApp waits
 * instead of going direct, which a paused page says.
 */
const TUNNEL_ONLY = 'taqueria-dos';
const TUNNEL_ONLY_PHONE = '15550111002';
const TUNNEL_ONLY_ORIGIN = 'https://dos.restaurant.test';
const BY_CODE = 'cantina-tres';
const BY_CODE_PHONE = '15550111003';

let stack: PagesStack;
let tablet: Device;
let office: Device;

/** The linking of a fresh session: a QR, the phone's scan, the 515 restart, a login. */
const LINK_MS = 4 * 5_000;

beforeAll(async () => {
  stack = await PagesStack.start({
    tenants: [
      {
        id: TUNNEL_ONLY,
        restaurant: 'Taquería Dos',
        pageHost: new URL(TUNNEL_ONLY_ORIGIN).host,
        policy: 'tunnel-only',
      },
      {
        id: BY_CODE,
        restaurant: 'Cantina Tres',
        pageHost: 'tres.restaurant.test',
        policy: 'prefer-tunnel',
      },
    ],
  });
});

afterAll(async () => {
  await stack?.stop();
});

const connectPage = (tab: Tab) => ({
  session: () => tab.page.getByTestId('session').textContent(),
  qrShown: () =>
    tab.page.evaluate(() => {
      const image = document.querySelector<HTMLImageElement>('[data-testid=qr]');
      return image !== null && !image.hidden && image.complete && image.naturalWidth > 0;
    }),
});

describe('the connect page', () => {
  it('shows the QR the worker made, through the tab, and says when the phone linked', async () => {
    tablet = await stack.device({ name: 'tablet', notificationsFor: TUNNEL_ONLY_ORIGIN });
    const tab = await tablet.tab(
      stack.pageUrl(TUNNEL_ONLY, '/whatsapp-connect', 'es'),
      'connect (es)',
    );
    await tab.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();
    const page = connectPage(tab);
    await tab.page.getByTestId('start').click();
    const { elapsedMs } = await waitFor(
      'the QR on the page',
      page.qrShown,
      Boolean,
      BOUNDS.joinMs + LINK_MS,
    );
    console.log(`[pages] QR shown ${elapsedMs} ms after "start" (tunnel-only: through this tab)`);
    expect(await page.session()).toBe('WhatsApp: Falta vincular el teléfono');
    const shownPng = await tab.page.evaluate(async () => {
      const response = await fetch('/backend/qr.png', { cache: 'no-store' });
      return [...new Uint8Array(await response.arrayBuffer()).slice(0, 8)];
    });
    expect(shownPng).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await tab.screenshot('connect-qr-es');

    // The restaurant's phone scans what the page shows.
    await stack.standin.control.scanQr(await stack.qr(TUNNEL_ONLY), { phone: TUNNEL_ONLY_PHONE });
    await waitFor(
      'the page to say linked',
      () => tab.page.getByTestId('connected').isVisible(),
      Boolean,
      LINK_MS,
    );
    expect(await tab.page.getByTestId('connected').textContent()).toBe(
      'WhatsApp está vinculado y conectado.',
    );
    await tab.untilState('protected', BOUNDS.moveMs + BOUNDS.statusMs);
    const records = await stack.standin.control.records();
    const origins = connectionsOf(records, TUNNEL_ONLY_PHONE).map(
      (connection) => connection.origin,
    );
    // Tunnel-only from the first byte: every WhatsApp connection came through the page.
    expect(new Set(origins)).toEqual(new Set([TUNNEL_ONLY_ORIGIN]));
    await tab.screenshot('connect-linked-es');
  });

  it('shows a pairing code the phone can type instead', async () => {
    const laptop = await stack.device({ name: 'laptop' });
    try {
      const tab = await laptop.tab(
        stack.pageUrl(BY_CODE, '/whatsapp-connect', 'en'),
        'connect (en)',
      );
      await tab.page.getByRole('button', { name: 'Not now' }).click();
      await tab.page.getByLabel('Phone number').fill(`+${BY_CODE_PHONE}`);
      await tab.page.getByRole('button', { name: 'Get a code' }).click();
      const { value } = await waitFor(
        'a pairing code on the page',
        () => tab.page.getByTestId('pairing-code').textContent(),
        (text) => (text ?? '').startsWith('Type this code on the phone: '),
        LINK_MS,
      );
      const code = value!.slice('Type this code on the phone: '.length);
      expect(code).toMatch(/^[A-Z0-9]{8}$/);
      await tab.screenshot('connect-code-en');
      await stack.standin.control.enterLinkCode(BY_CODE_PHONE, code);
      await waitFor(
        'the page to say linked',
        () => tab.page.getByTestId('connected').isVisible(),
        Boolean,
        LINK_MS,
      );
      expect(await tab.page.getByTestId('connected').textContent()).toBe(
        'WhatsApp is linked and connected.',
      );
    } finally {
      await laptop.close();
    }
  });
});

describe('a tunnel-only restaurant', () => {
  it('waits, never direct, when its only relaying tab closes; a paused page says so', async () => {
    office = await stack.device({ name: 'office' });
    const es = await office.tab(stack.pageUrl(TUNNEL_ONLY, '/dashboard', 'es'), 'office (es)');
    const en = await office.tab(stack.pageUrl(TUNNEL_ONLY, '/kds', 'en'), 'office (en)');
    await es.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();
    await en.page.getByRole('button', { name: 'Pause protection' }).click();
    await es.untilState('protected', BOUNDS.joinMs + BOUNDS.statusMs);
    await waitFor(
      'the office to be paused',
      () => en.reading(),
      (reading) => reading.paused,
      BOUNDS.statusMs,
    );
    const before = [(await es.notices()).length, (await en.notices()).length];
    const known = new Set(
      connectionsOf(await stack.standin.control.records(), TUNNEL_ONLY_PHONE).map((c) => c.id),
    );

    await tablet.close();
    const notices = [];
    for (const [index, tab] of [es, en].entries()) {
      const { elapsedMs, value } = await waitFor(
        `${tab.label}: WhatsApp waiting for a tab`,
        () => tab.reading(),
        (reading) => reading.state === 'server' && reading.waitingForTab,
        BOUNDS.goneMs + BOUNDS.statusMs,
      );
      console.log(`[pages] ${tab.label}: ${value.state} (${value.cause}) after ${elapsedMs} ms`);
      notices.push(await tab.untilNotice('whatsapp-waiting', BOUNDS.noticeMs, before[index]!));
    }
    expect(notices.map((notice) => notice.text)).toEqual([
      'WhatsApp está en pausa hasta que haya una pestaña abierta que lo lleve.',
      'WhatsApp is paused until a tab is open to carry it.',
    ]);
    expect(await en.reading()).toMatchObject({
      headline: 'Not protected: WhatsApp paused',
      explanation: 'No browser at the restaurant is carrying WhatsApp.',
      flags: [
        'Paused by staff in this browser.',
        'WhatsApp is paused until a tab is open to carry it.',
      ],
    });
    expect(await stack.routes(TUNNEL_ONLY)).toEqual({
      websocket: 'none',
      download: 'none',
      upload: 'none',
    });
    await es.screenshot('waiting-for-tab-es');
    await en.screenshot('waiting-for-tab-en');
    // Nothing went direct: within the time a move would take, no new connection of this account.
    await new Promise((resolve) => setTimeout(resolve, BOUNDS.moveMs));
    const records = await stack.standin.control.records();
    expect(connectionsOf(records, TUNNEL_ONLY_PHONE).filter((c) => !known.has(c.id))).toEqual([]);
  });
});
