import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../src/index.js';
import { authFolder, pairByQr, startClient, type AuthFolder } from './support/client.js';

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

describe('two sockets with the same creds', () => {
  it('evicts the first with 440 when the second logs in, as the real service does', async () => {
    const first = await startClient(standin, auth);
    await first.opened;
    const second = await startClient(standin, auth);
    await second.opened;
    const evicted = await first.closed;
    expect(evicted.statusCode).toBe(440);
    expect(second.sock.ws.isOpen).toBe(true);
    await first.egress.close();
    await second.stop();

    const { connections } = await standin.control.records();
    const logins = connections.filter((item) => item.account === phone && item.kind === 'login');
    expect(logins.map((item) => item.outcome)).toEqual(['replaced', 'client-closed']);
    const account = await standin.control.account(phone);
    // Both sockets were open for the moment between the second login and the first close.
    expect(account.peakOpen).toBe(2);
    expect(account.openTimeline.map((sample) => sample.open).slice(-4)).toEqual([1, 2, 1, 0]);
  });
});
