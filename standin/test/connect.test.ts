import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type ConnectionRecord, type Standin } from '../src/index.js';
import {
  authFolder,
  pairByQr,
  startClient,
  TEST_TIMINGS,
  type AuthFolder,
} from './support/client.js';
import { waitFor } from './support/wait.js';

let standin: Standin;
let auth: AuthFolder;
let phone: string;

beforeAll(async () => {
  standin = await startStandin();
  auth = await authFolder();
  phone = (await pairByQr(standin, auth)).paired.phone;
});

afterAll(async () => {
  await standin.close();
  await auth.remove();
});

async function loginRecord(id: number): Promise<ConnectionRecord> {
  const { connections } = await standin.control.records();
  const logins = connections.filter((item) => item.account === phone && item.kind === 'login');
  return logins[id] as ConnectionRecord;
}

describe('after login', () => {
  it(
    'answers every query Baileys sends on connect, ' + 'so the connection opens without a stall',
    async () => {
      const client = await startClient(standin, auth);
      const openMs = await client.opened;
      // Baileys awaits the pre-key count, passive/active and digest before reporting open; an
      // unanswered one would hold it for the query timeout.
      console.log(
        `connection open after ${openMs} ms (query ` +
          `timeout ${TEST_TIMINGS.defaultQueryTimeoutMs} ms)`,
      );
      expect(openMs).toBeLessThan(TEST_TIMINGS.defaultQueryTimeoutMs);
      // The first login also runs the initial sync (history, then app state): its queries too.
      await client.synced;
      // Props, blocklist and privacy follow the open; wait out two keepalive rounds for them.
      await waitFor(async () => (await loginRecord(0)).pingsAnswered >= 2, 'two pings answered');
      const record = await loginRecord(0);
      expect(record.genericAnswers).toEqual([]);
      expect(client.logger.lines.filter((line) => line.message.includes('timed out'))).toEqual([]);
      const account = await standin.control.account(phone);
      // Baileys uploads 812; the phone's session for the initial sync used one of them.
      expect(account.devices[0]?.preKeys).toBe(811);
      await client.stop();
    },
  );

  it('stays up across 20 keepalive rounds with every ping answered', async () => {
    const client = await startClient(standin, auth, { keepAliveIntervalMs: 250 });
    await client.opened;
    await waitFor(async () => (await loginRecord(1)).pingsAnswered >= 20, '20 pings answered', {
      timeoutMs: 250 * 20 * 3,
    });
    expect(client.sock.ws.isOpen).toBe(true);
    expect(client.updates.some((update) => update.connection === 'close')).toBe(false);
    const record = await loginRecord(1);
    expect([record.closedAt, record.pingsIgnored]).toEqual([null, 0]);
    await client.stop();
  });
});
