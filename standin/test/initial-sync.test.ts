import { proto } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../src/index.js';
import {
  authFolder,
  pairByQr,
  startClient,
  type AuthFolder,
  type Client,
} from './support/client.js';

let standin: Standin;
let auth: AuthFolder;
let client: Client;
let phone: string;
let syncedMs: number;

beforeAll(async () => {
  standin = await startStandin();
  auth = await authFolder();
  phone = (await pairByQr(standin, auth)).paired.phone;
  client = await startClient(standin, auth);
  await client.opened;
  syncedMs = await client.synced;
});

afterAll(async () => {
  await client.stop();
  await standin.close();
  await auth.remove();
});

describe('right after pairing', () => {
  it('the phone shares its app-state key and sends a history-sync notification', async () => {
    console.log(
      `initial sync finished ${syncedMs} ms after the first login started ` +
        '(Baileys waits up to 20000 ms for the history)',
    );
    const view = await standin.control.phone(phone);
    expect(
      view.sent.map((item) => [
        (item.message.protocolMessage as { type?: string } | undefined)?.type,
        item.copies.map((copy) => [copy.device, copy.encType, copy.state]),
      ]),
    ).toEqual([
      ['APP_STATE_SYNC_KEY_SHARE', [[2, 'pkmsg', 'delivered']]],
      ['HISTORY_SYNC_NOTIFICATION', [[2, 'pkmsg', 'delivered']]],
    ]);
    const history = view.sent[1];
    expect(history?.copies[0]?.receipts.map((receipt) => receipt.type)).toEqual([
      'peer_msg',
      'hist_sync',
    ]);
    expect(client.sock.authState.creds.myAppStateKeyId).toBe(view.appState.keyId);
  });

  it('Baileys downloads the history by its direct path from the fixed media host', async () => {
    const view = await standin.control.phone(phone);
    const notification = (
      view.sent[1]?.message.protocolMessage as {
        historySyncNotification?: { directPath?: string };
      }
    ).historySyncNotification;
    const { requests } = await standin.control.records();
    const download = requests.find((request) => request.path === notification?.directPath);
    expect([download?.method, download?.host, download?.status, download?.account]).toEqual([
      'GET',
      'mmg.whatsapp.net',
      200,
      phone,
    ]);
    expect(client.histories.map((item) => [item.syncType, item.progress, item.isLatest])).toEqual([
      [proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP, 100, true],
    ]);
  });

  it("Baileys' app-state sync completes: the snapshot is downloaded and applied", async () => {
    const media = await standin.control.media();
    const snapshot = media.find((item) => item.kind === 'md-app-state');
    const { requests } = await standin.control.records();
    const download = requests.find((request) => request.path === snapshot?.directPath);
    expect([download?.host, download?.status, download?.account]).toEqual([
      'mmg.whatsapp.net',
      200,
      phone,
    ]);
    const versions = await client.sock.authState.keys.get('app-state-sync-version', [
      'critical_block',
    ]);
    expect(versions.critical_block?.version).toBe(1);
    expect(client.sock.authState.creds.accountSyncCounter).toBe(1);
    const complaints = client.logger.lines.filter((line) =>
      /sync|app state|history/i.test(line.message),
    );
    expect(complaints).toEqual([]);
    expect(await standin.control.failures()).toEqual([]);
  });

  it('takes a patch the device uploads: its push name change is the next version', async () => {
    await client.sock.updateProfileName('Casa Pasarela');
    const view = await standin.control.phone(phone);
    expect(view.appState.versions.critical_block).toBe(2);
    expect(client.sock.authState.creds.me?.name).toBe('Casa Pasarela');
    expect(await standin.control.failures()).toEqual([]);
  });
});
