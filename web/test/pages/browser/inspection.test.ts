import type { Inspection } from '@pasarela/broker';
import { signToken } from '@pasarela/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/device.js';
import type { Device } from '../support/device.js';
import { BOUNDS, PagesStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * The operator's room-inspection dashboard in Chromium against the real
 * room: it opens with an admin token only, and shows a room's peers and
 * events as they change.
 */
const TENANT = 'bar-cuatro';
const ORIGIN = 'https://cuatro.restaurant.test';
/** The dashboard reads the room every 2 s; two rounds and the page's own work. */
const REFRESH_BOUND_MS = 2 * 2_000 + BOUNDS.statusMs;

let stack: PagesStack;
let operator: Device;
let admin: Page;

/** What an operator does: asks the worker for an admin token with the admin API key. */
async function adminToken(tenant = '*'): Promise<string> {
  const response = await fetch(`${stack.workerUrl}/api/tunnel/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId: tenant, role: 'admin' }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function roomNow(): Promise<Inspection> {
  const response = await fetch(`http://${stack.room.host}/admin/rooms/${TENANT}`, {
    headers: { authorization: `Bearer ${await adminToken()}` },
  });
  return (await response.json()) as Inspection;
}

const cells = (page: Page, table: string) =>
  page.evaluate(
    (id) =>
      [...document.querySelectorAll(`[data-testid=${id}] tbody tr`)].map((row) =>
        [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''),
      ),
    table,
  );

beforeAll(async () => {
  stack = await PagesStack.start({
    tenants: [
      {
        id: TENANT,
        restaurant: 'Bar Cuatro',
        pageHost: new URL(ORIGIN).host,
        policy: 'prefer-tunnel',
      },
    ],
  });
  operator = await stack.device({ name: 'operator' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('the inspection dashboard', () => {
  it('refuses a peer token in words, without sending it to the room', async () => {
    const peerToken = await signToken(
      { tenant: TENANT, role: 'peer', ttlSeconds: 300 },
      stack.keys.keys,
    );
    const page = await operator.context.newPage();
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith('https://rooms.pasarela.test/')) asked.push(request.url());
    });
    await page.goto(`${ORIGIN}/admin/#token=${peerToken}`);
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      'This is a peer token. The room inspection dashboard opens only with an admin token: ' +
        "mint one with the worker's admin API key (POST /api/tunnel/tokens).",
    );
    expect(await page.evaluate(() => location.hash)).toBe('');
    expect(asked).toEqual([]);
    await screenshot(page, 'inspection-refused');
    await page.close();
  });

  it("says so when the room does not know the token's key", async () => {
    const stranger = await signToken(
      { tenant: '*', role: 'admin', ttlSeconds: 300 },
      { signingKeyId: 'other', keys: { other: 'another-secret-of-at-least-thirty-two-chars' } },
    );
    const page = await operator.context.newPage();
    await page.goto(`${ORIGIN}/admin/#token=${stranger}`);
    const refusal = page.getByTestId('refusal');
    await waitFor(
      'the refusal',
      () => refusal.textContent(),
      (text) => Boolean(text),
      REFRESH_BOUND_MS,
    );
    expect(await refusal.textContent()).toBe(
      "The room does not recognise the token's signing key (auth_unknown_key).",
    );
    expect(await page.getByTestId('signin').isVisible()).toBe(true);
    await page.close();
  });

  it("shows a room's live peers, events and charts with an admin token", async () => {
    const kitchen = await stack.device({ name: 'kitchen' });
    const tab = await kitchen.tab(`${ORIGIN}/kds?lang=es`, 'kitchen (es)');
    await tab.page.getByRole('button', { name: 'Sí, usar esta pestaña' }).click();

    admin = await operator.context.newPage();
    await admin.goto(`${ORIGIN}/admin/#token=${await adminToken()}`);
    await admin.getByTestId('who').waitFor();
    expect(await admin.getByTestId('who').textContent()).toMatch(/^Admin for every tenant, until /);
    const room = admin.locator(`[data-tenant=${TENANT}]`);
    await room.waitFor({ timeout: REFRESH_BOUND_MS + BOUNDS.joinMs });
    await room.click();
    const { value: peers } = await waitFor(
      'one primary peer',
      () => cells(admin, 'peers'),
      (rows) => rows.length === 1 && rows[0]?.[1] === 'primary' && rows[0]?.[3] === 'healthy',
      REFRESH_BOUND_MS + BOUNDS.joinMs,
    );
    expect(peers[0]?.[2]).toBe('active');
    expect(peers[0]?.[5]).toBe('websocket ok, download ok, upload ok');
    expect(peers[0]?.[6]).toContain('Chrome/');
    const connected = await cells(admin, 'events');
    expect(connected.map((row) => row[1])).toContain('connected');

    // A second browser joins as standby, pauses, then leaves: the dashboard follows.
    const office = await stack.device({ name: 'office' });
    const second = await office.tab(`${ORIGIN}/dashboard?lang=en`, 'office (en)');
    await second.page.getByRole('button', { name: 'Yes, use this tab' }).click();
    await second.page.getByRole('button', { name: 'Pause protection' }).click();
    const { value: two } = await waitFor(
      'a primary and a paused standby',
      () => cells(admin, 'peers'),
      (rows) =>
        rows.length === 2 && rows.some((row) => row[1] === 'standby' && row[2] === 'paused'),
      REFRESH_BOUND_MS + BOUNDS.joinMs,
    );
    expect(two.map((row) => row[1]).sort()).toEqual(['primary', 'standby']);
    const charts = await admin.locator('figure.chart canvas').count();
    expect(charts).toBe(3);
    await screenshot(admin, 'inspection-room');

    await office.close();
    const { value: events } = await waitFor(
      'the standby to leave',
      () => cells(admin, 'events'),
      (rows) => rows.some((row) => row[1] === 'closed'),
      REFRESH_BOUND_MS + BOUNDS.goneMs,
    );
    expect(events.find((row) => row[1] === 'closed')?.[3]).toBe('peer');
    expect(await cells(admin, 'peers')).toHaveLength(1);
    await kitchen.close();
  });
});

describe('the local stack for a person trying it', () => {
  it('relays from an http page on loopback via a plain room to the plain stand-in', async () => {
    const backend = await stack.developmentBackend({
      id: TENANT,
      restaurant: 'Bar Cuatro',
      pageHost: '127.0.0.1',
      policy: 'prefer-tunnel',
    });
    const laptop = await stack.device({ name: 'laptop' });
    try {
      const tab = await laptop.tab(`${backend.url}/dashboard?lang=en`, 'laptop (en)');
      await tab.page.getByRole('button', { name: 'Yes, use this tab' }).click();
      const { value } = await waitFor(
        'a peer with every leg proven through the plain stand-in',
        async () => (await roomNow()).peers,
        (peers) =>
          peers.some((peer) => Object.values(peer.legs).every((leg) => leg.status === 'ok')),
        BOUNDS.joinMs,
      );
      expect(value.map((peer) => peer.userAgent?.includes('Chrome/'))).toEqual([true]);
      // No worker in this room: the page says it waits for its word.
      expect(await tab.reading()).toMatchObject({ state: 'reconnecting', cause: 'no-word' });
    } finally {
      await laptop.close();
    }
  });
});
