import type { Inspection } from '@pasarela/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsOf } from '../../../../session-worker/test/tunnel/support/stack.js';
import type { Device, Tab } from '../support/device.js';
import { BOUNDS, PagesStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * Each state of the indicator, and its notice, for its real cause, in a
 * Spanish tab and an English one of the same browser, each kept as a
 * screenshot: protected (a page relays), latency (a slow line in front of
 * the room), reconnecting (the line cut), paused by staff, using the server
 * (the only relaying browser closed), a leg WhatsApp refuses this browser,
 * and a leak.
 */
const TENANT = 'pizzeria-uno';
const PHONE = '15550111001';
const PAGE_ORIGIN = 'https://uno.restaurant.test';
const DELAY_MS = 250;

let stack: PagesStack;
let frontDesk: Device;
let office: Device;
let desk: Tab;
let kitchen: Tab;

async function roomNow(): Promise<Inspection> {
  const token = await stack.adminToken();
  const response = await fetch(`http://${stack.room.host}/admin/rooms/${TENANT}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await response.json()) as Inspection;
}

async function lastLogin() {
  const records = await stack.standin.control.records();
  return connectionsOf(records, PHONE).at(-1);
}

/** The notices each tab has shown so far, so a wait looks only at newer ones. */
async function seen(...tabs: Tab[]): Promise<number[]> {
  return Promise.all(tabs.map(async (tab) => (await tab.notices()).length));
}

/** Waits for the state in each tab, then for its notice there; prints the times. */
async function expectState(
  tabs: readonly Tab[],
  before: readonly number[],
  state: Parameters<Tab['untilState']>[0],
  boundMs: number,
  notice: Parameters<Tab['untilNotice']>[0],
) {
  const notices = [];
  for (const [index, tab] of tabs.entries()) {
    const { elapsedMs, value } = await tab.untilState(state, boundMs);
    console.log(`[pages] ${tab.label}: ${state} (${value.cause}) after ${elapsedMs} ms`);
    notices.push(await tab.untilNotice(notice, BOUNDS.noticeMs, before[index] ?? 0));
  }
  return notices;
}

beforeAll(async () => {
  stack = await PagesStack.start({
    tenants: [
      {
        id: TENANT,
        restaurant: 'Pizzería Uno',
        pageHost: new URL(PAGE_ORIGIN).host,
        policy: 'prefer-tunnel',
      },
    ],
  });
  await stack.pair(TENANT, PHONE);
});

afterAll(async () => {
  await stack?.stop();
});

describe('consent', () => {
  it('is asked before the first relay, once per browser, and remembered', async () => {
    frontDesk = await stack.device({ name: 'front desk', notificationsFor: PAGE_ORIGIN });
    desk = await frontDesk.tab(stack.pageUrl(TENANT, '/dashboard', 'es'), 'desk (es)');
    expect(await desk.consentOpen()).toBe(true);
    expect((await roomNow()).peers).toEqual([]);
    await desk.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();

    kitchen = await frontDesk.tab(stack.pageUrl(TENANT, '/kds', 'en'), 'kitchen (en)');
    expect(await kitchen.consentOpen()).toBe(false);
    await kitchen.page.reload();
    await kitchen.page.waitForSelector('[data-testid=protection]');
    expect(await kitchen.consentOpen()).toBe(false);
  });

  it('relays nothing after a "not now", and remembers that too', async () => {
    const other = await stack.device({ name: 'declining' });
    try {
      const tab = await other.tab(stack.pageUrl(TENANT, '/dashboard', 'en'), 'declining (en)');
      await tab.page.getByRole('button', { name: 'Not now' }).click();
      await tab.page.reload();
      await tab.page.waitForSelector('[data-testid=protection]');
      expect(await tab.consentOpen()).toBe(false);
      expect(await tab.page.getByTestId('consent-banner').isVisible()).toBe(true);
      expect(await tab.reading()).toMatchObject({ state: 'server', cause: 'not-joined' });
      const agents = (await roomNow()).peers.map((peer) => peer.userAgent);
      expect(agents).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe('the indicator, for its real causes', () => {
  it('is protected while a page carries WhatsApp', async () => {
    const { elapsedMs } = await desk.untilState('protected', BOUNDS.joinMs + BOUNDS.moveMs);
    console.log(`[pages] protected ${elapsedMs} ms after this case began`);
    await kitchen.untilState('protected', BOUNDS.statusMs);
    expect(await desk.untilNotice('protection-on', BOUNDS.noticeMs, 0)).toMatchObject({
      channel: 'system',
      text: 'Protección activa: WhatsApp usa la conexión del restaurante.',
    });
    expect(await desk.reading()).toMatchObject({
      headline: 'Protegido',
      explanation: 'WhatsApp sale por la conexión a internet del restaurante.',
      flags: [],
    });
    expect(await kitchen.reading()).toMatchObject({ headline: 'Protected', flags: [] });
    expect(await lastLogin()).toMatchObject({ kind: 'login', origin: PAGE_ORIGIN });
    await desk.screenshot('protected-es');
    await kitchen.screenshot('protected-en');
  });

  it('is reached from the keyboard and opens its details', async () => {
    await desk.page.keyboard.press('Tab');
    await desk.page.keyboard.press('Tab');
    const focused = await desk.page.evaluate(() => document.activeElement?.className ?? '');
    expect(focused).toBe('protection-badge');
    await desk.page.keyboard.press('Enter');
    const details = desk.page.locator('.protection-details');
    expect(await desk.page.locator('.protection-badge').getAttribute('aria-expanded')).toBe('true');
    expect(await details.locator('li').allTextContents()).toEqual([
      'La conexión principal de WhatsApp: por el restaurante',
      'Las fotos y archivos que llegan: por el restaurante',
      'Las fotos y archivos que se envían: por el restaurante',
    ]);
    await desk.page.keyboard.press('Enter');
    expect(await details.isHidden()).toBe(true);
  });

  it('reads latency when the line to the room is slow, restored after', async () => {
    const before = await seen(desk, kitchen);
    stack.gate.delay(DELAY_MS);
    const slow = await expectState(
      [desk, kitchen],
      before,
      'latency',
      BOUNDS.rttSettleMs + BOUNDS.statusMs,
      'slow',
    );
    expect(slow.map((notice) => notice.text)).toEqual([
      'La conexión del restaurante va lenta. WhatsApp sigue funcionando, puede tardar más.',
      "The restaurant's connection is slow. WhatsApp keeps working but may take longer.",
    ]);
    expect(await desk.announced()).toContain('La conexión del restaurante va lenta.');
    const room = await roomNow();
    expect(room.peers.map((peer) => peer.health)).toEqual(['degraded']);
    console.log(`[pages] room round trip through the slow line: ${room.peers[0]?.rttMs} ms`);
    await desk.screenshot('latency-es');
    await kitchen.screenshot('latency-en');

    const after = await seen(desk, kitchen);
    stack.gate.delay(0);
    const restored = await expectState(
      [desk, kitchen],
      after,
      'protected',
      BOUNDS.rttSettleMs + BOUNDS.moveMs,
      'protection-restored',
    );
    expect(restored.map((notice) => notice.text)).toEqual([
      'Protección restablecida.',
      'Protection restored.',
    ]);
  });

  it('reads reconnecting while the line to the room is cut, restored after', async () => {
    const before = await seen(desk, kitchen);
    const tokens = stack.backends.get(TENANT)!.tokensIssued();
    await stack.gate.close();
    const off = await expectState(
      [desk, kitchen],
      before,
      'reconnecting',
      BOUNDS.linkLostMs,
      'protection-off',
    );
    expect(off.map((notice) => notice.text)).toEqual([
      'Protección desactivada, pero WhatsApp sigue funcionando.',
      'Protection is off, but WhatsApp keeps working.',
    ]);
    expect((await desk.reading()).explanation).toBe(
      'Este navegador se está volviendo a conectar. ' +
        'Mientras tanto, WhatsApp sigue funcionando por el servidor, que es menos seguro.',
    );
    await desk.screenshot('reconnecting-es');
    await kitchen.screenshot('reconnecting-en');

    const after = await seen(desk, kitchen);
    await stack.gate.open();
    await expectState(
      [desk, kitchen],
      after,
      'protected',
      BOUNDS.goneMs + BOUNDS.joinMs + BOUNDS.moveMs,
      'protection-restored',
    );
    // Each new attempt asked the restaurant's backend for a fresh token.
    expect(stack.backends.get(TENANT)!.tokensIssued()).toBeGreaterThan(tokens);
  });

  it('reads paused when staff pause it: relaying stops; resuming restarts it', async () => {
    office = await stack.device({ name: 'office' });
    const officeEs = await office.tab(stack.pageUrl(TENANT, '/dashboard', 'es'), 'office (es)');
    await officeEs.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();
    const officeEn = await office.tab(stack.pageUrl(TENANT, '/kds', 'en'), 'office (en)');
    await officeEs.page.getByTestId('pause').click();
    await waitFor(
      'the office browser to be paused in the room',
      roomNow,
      (room) => room.peers.length === 2 && room.peers.some((peer) => peer.state === 'paused'),
      BOUNDS.joinMs,
    );
    // Paused here, protected by the front desk: both are said.
    expect(await officeEn.untilState('protected', BOUNDS.statusMs)).toMatchObject({
      value: { paused: true, flags: ['Paused by staff in this browser.'] },
    });

    const before = await seen(desk, kitchen);
    await desk.page.getByRole('button', { name: 'Pausar protección' }).click();
    const paused = await expectState(
      [desk, kitchen],
      before,
      'server',
      BOUNDS.statusMs + BOUNDS.moveMs,
      'paused',
    );
    expect(paused.map((notice) => notice.text)).toEqual([
      'Protección en pausa en este navegador. WhatsApp sigue funcionando.',
      'Protection paused in this browser. WhatsApp keeps working.',
    ]);
    expect(await kitchen.reading()).toMatchObject({ paused: true, cause: 'no-peer' });
    expect(await kitchen.page.getByTestId('pause').textContent()).toBe('Resume protection');
    await waitFor(
      'WhatsApp to log in again from the server',
      lastLogin,
      (login) => login?.origin === 'https://web.whatsapp.com' && login.closedAt === null,
      BOUNDS.moveMs,
    );
    const room = await roomNow();
    expect(room.peers.map((peer) => peer.state)).toEqual(['paused', 'paused']);
    expect(room.streams).toEqual([]);
    await desk.screenshot('paused-es');
    await kitchen.screenshot('paused-en');

    const after = await seen(desk, kitchen);
    await kitchen.page.getByRole('button', { name: 'Resume protection' }).click();
    await expectState(
      [desk, kitchen],
      after,
      'protected',
      BOUNDS.joinMs + BOUNDS.moveMs,
      'resumed',
    );
    await waitFor(
      'WhatsApp to log in again through the page',
      lastLogin,
      (login) => login?.origin === PAGE_ORIGIN && login.closedAt === null,
      BOUNDS.statusMs,
    );
  });

  it('reads using the server when the only relaying browser closes', async () => {
    const [officeEs, officeEn] = office.tabs as [Tab, Tab];
    const before = await seen(officeEs, officeEn);
    await frontDesk.close();
    const off = await expectState(
      [officeEs, officeEn],
      before,
      'server',
      BOUNDS.goneMs + BOUNDS.statusMs,
      'protection-off',
    );
    // This browser never allowed system notifications: the page's own toast says it.
    expect(off.map((notice) => notice.channel)).toEqual(['toast', 'toast']);
    expect(await officeEn.toasts()).toContain('Protection is off, but WhatsApp keeps working.');
    expect(await officeEs.reading()).toMatchObject({
      cause: 'no-peer',
      headline: 'Usando el servidor',
      flags: ['Pausado por el personal en este navegador.'],
    });
    await officeEs.screenshot('server-es');
    await officeEn.screenshot('server-en');
  });

  it('reads a leg this browser cannot serve when WhatsApp refuses its WebSocket', async () => {
    await stack.standin.control.setHostFaults('web.whatsapp.com', {
      refuseUpgrades: 'foreign-origin',
    });
    const refused = await stack.device({ name: 'refused' });
    try {
      const es = await refused.tab(stack.pageUrl(TENANT, '/dashboard', 'es'), 'refused (es)');
      const en = await refused.tab(stack.pageUrl(TENANT, '/kds', 'en'), 'refused (en)');
      await es.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();
      expect(await en.consentOpen()).toBe(false);
      const notices = await expectState(
        [es, en],
        [0, 0],
        'server',
        BOUNDS.joinMs + BOUNDS.statusMs,
        'leg',
      );
      expect(notices.map((notice) => notice.text)).toEqual([
        'Este navegador no puede llevar la conexión principal de WhatsApp; ' +
          'esa parte va por el servidor. ' +
          'WhatsApp sigue funcionando.',
        "This browser cannot carry WhatsApp's main connection; " +
          'that part goes through the server. ' +
          'WhatsApp keeps working.',
      ]);
      expect(await es.reading()).toMatchObject({ cause: 'leg', unservable: 'websocket' });
      expect((await en.reading()).flags).toEqual([
        "This browser cannot carry: WhatsApp's main connection.",
      ]);
      expect(await stack.routes(TENANT)).toEqual({
        websocket: 'direct',
        download: 'tunnel',
        upload: 'tunnel',
      });
      await es.screenshot('leg-es');
      await en.screenshot('leg-en');
    } finally {
      await refused.close();
      await stack.standin.control.clearHostFaults('web.whatsapp.com');
    }
  });

  it('reads a leak when traffic leaves direct while the page should carry it', async () => {
    const carrying = await stack.device({ name: 'carrying' });
    const es = await carrying.tab(stack.pageUrl(TENANT, '/dashboard', 'es'), 'carrying (es)');
    await es.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();
    const en = await carrying.tab(stack.pageUrl(TENANT, '/kds', 'en'), 'carrying (en)');
    await es.untilState('protected', BOUNDS.joinMs + BOUNDS.moveMs);
    await en.untilState('protected', BOUNDS.statusMs);
    const before = await seen(es, en);
    const egress = stack.manager.egress(TENANT)!;
    // A code path that skipped the route decision and opened its own connection.
    stack.audit.record({
      tenant: TENANT,
      source: 'dispatcher',
      host: 'mmg.whatsapp.net',
      port: 443,
      leg: 'download',
      route: 'direct',
      reason: 'skipped_decision',
      policy: egress.policy,
      peer: egress.peer,
    });
    const leaked = await expectState([es, en], before, 'server', BOUNDS.statusMs, 'leak');
    expect(leaked.map((notice) => notice.text)).toEqual([
      'Aviso: tráfico de WhatsApp salió por el servidor (1 vez). WhatsApp sigue funcionando.',
      'Warning: WhatsApp traffic left through the server (once). WhatsApp keeps working.',
    ]);
    expect(await en.reading()).toMatchObject({
      cause: 'leak',
      leaks: 1,
      flags: ['WhatsApp traffic was seen leaving through the server (once).'],
    });
    await es.screenshot('leak-es');
    await en.screenshot('leak-en');
    await carrying.close();
  });
});
