import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdpTab } from '../../../web/test/browser/support/cdp.js';
import { waitUntil } from '../../../web/test/browser/support/page.js';
import { openPage } from '../../../web/test/browser/support/session.js';
import { PAGE_ORIGIN, Stack } from '../../../web/test/browser/support/stack.js';
import { buildShipped, installExtension, uninstallExtension } from './support/shipped-extension.js';
import type { ShippedExtension } from './support/shipped-extension.js';
import { BOUNDS } from './support/suite.js';

const WHATSAPP_ORIGIN = 'https://web.whatsapp.com';
const SHIPPED = ['wss://web.whatsapp.com/*', 'https://*.whatsapp.net/*', `${PAGE_ORIGIN}/*`];

let stack: Stack;
let shipped: ShippedExtension;
let scratch = '';
let tab: CdpTab;

beforeAll(async () => {
  shipped = await buildShipped([PAGE_ORIGIN]);
  stack = await Stack.start();
  scratch = await mkdtemp(join(tmpdir(), 'pasarela-extension-permissions-'));
  tab = await openPage(stack);
  await waitUntil(
    'the restaurant page to load',
    () => tab.evaluate<string>('location.origin + " " + document.readyState').catch(() => ''),
    (state) => state === `${PAGE_ORIGIN} complete`,
    BOUNDS.joinMs,
  );
});

afterAll(async () => {
  await stack?.stop();
  await shipped?.remove();
  await rm(scratch, { recursive: true, force: true });
});

interface Seen {
  readonly websocket: string | null;
  readonly preflight: string | null;
  readonly upload: string | null;
  readonly download: string | null;
}

/**
 * The shipped extension with other host permissions, installed; the page
 * then opens the WhatsApp WebSocket, makes an upload (preflighted) and a
 * download, each to a path of this case's own so no preflight is served
 * from Chromium's cache; the stand-in tells which Origin each carried.
 */
async function originsWith(label: string, hostPermissions: readonly string[]): Promise<Seen> {
  const dir = join(scratch, label);
  await cp(shipped.dir, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as object;
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({ ...manifest, host_permissions: hostPermissions }),
  );
  const id = await installExtension(stack.browser!, dir);
  try {
    const { lastSeq } = await stack.standin!.control.records();
    await tab.evaluate(`(async () => {
      await new Promise((done) => {
        const socket = new WebSocket('wss://web.whatsapp.com/ws/chat?case=${label}');
        socket.onopen = () => { socket.close(); done(); };
        socket.onclose = () => done();
      });
      const base = 'https://mmg.whatsapp.net/permissions/${label}';
      await fetch(base + '/up', { method: 'POST', credentials: 'omit', body: new Uint8Array(8),
        headers: { 'content-type': 'application/octet-stream' } }).catch(() => null);
      await fetch(base + '/down', { credentials: 'omit' }).catch(() => null);
    })()`);
    const { requests } = await stack.standin!.control.records(lastSeq);
    const origin = (kind: string, method: string, suffix: string) =>
      requests.find((r) => r.kind === kind && r.method === method && r.path.endsWith(suffix))
        ?.origin ?? null;
    return {
      websocket: origin('ws', 'GET', `?case=${label}`),
      preflight: origin('http', 'OPTIONS', '/up'),
      upload: origin('http', 'POST', '/up'),
      download: origin('http', 'GET', '/down'),
    };
  } finally {
    await uninstallExtension(stack.browser!, id);
  }
}

describe('the host permissions Chromium needs before it applies the rules', () => {
  it(
    "as shipped: WhatsApp Web's Origin on the " + 'WebSocket and the upload, not the download',
    async () => {
      expect(await originsWith('shipped', SHIPPED)).toEqual({
        websocket: WHATSAPP_ORIGIN,
        preflight: WHATSAPP_ORIGIN,
        upload: WHATSAPP_ORIGIN,
        download: PAGE_ORIGIN,
      });
    },
  );

  it("without the page's origin, no rule applies: the initiator must be granted too", async () => {
    expect(await originsWith('no-page', SHIPPED.slice(0, 2))).toEqual({
      websocket: PAGE_ORIGIN,
      preflight: PAGE_ORIGIN,
      upload: PAGE_ORIGIN,
      download: PAGE_ORIGIN,
    });
  });

  it(
    'without the wss grant the WebSocket keeps the page ' +
      'Origin; https on the same host is no substitute',
    async () => {
      const expected: Seen = {
        websocket: PAGE_ORIGIN,
        preflight: WHATSAPP_ORIGIN,
        upload: WHATSAPP_ORIGIN,
        download: PAGE_ORIGIN,
      };
      expect(await originsWith('no-wss', SHIPPED.slice(1))).toEqual(expected);
      expect(
        await originsWith('https-for-wss', ['https://*.whatsapp.com/*', ...SHIPPED.slice(1)]),
      ).toEqual(expected);
    },
  );

  it('without the upload hosts the uploads keep the page Origin', async () => {
    expect(await originsWith('no-uploads', [SHIPPED[0]!, SHIPPED[2]!])).toEqual({
      websocket: WHATSAPP_ORIGIN,
      preflight: PAGE_ORIGIN,
      upload: PAGE_ORIGIN,
      download: PAGE_ORIGIN,
    });
  });
});
