import type { BinaryNode } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../src/index.js';
import {
  authFolder,
  pairAndLogIn,
  startClient,
  TEST_TIMINGS,
  type AuthFolder,
  type Client,
} from './support/client.js';
import { sleep, waitFor } from './support/wait.js';

let standin: Standin;
const folders: AuthFolder[] = [];

beforeAll(async () => {
  standin = await startStandin();
});

afterAll(async () => {
  await standin.close();
  await Promise.all(folders.map((folder) => folder.remove()));
});

async function loggedIn(): Promise<{ client: Client; auth: AuthFolder; phone: string }> {
  const auth = await authFolder();
  folders.push(auth);
  const { client, paired } = await pairAndLogIn(standin, auth);
  return { client, auth, phone: paired.phone };
}

/** Baileys' own keepalive query, sent through its socket. */
function ping(client: Client): Promise<BinaryNode | undefined> {
  return client.sock.query({
    tag: 'iq',
    attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' },
    content: [{ tag: 'ping', attrs: {} }],
  });
}

/** Baileys closes a silent connection at the first keepalive tick past interval + 5 s. */
const SILENCE_LIMIT_MS = TEST_TIMINGS.keepAliveIntervalMs * 2 + 5_000;

describe('disconnect codes sent to a live socket', () => {
  it.each([
    [515, 'stream-error 515'],
    [440, 'replaced'],
    [503, 'stream-error 503'],
    [403, 'stream-error 403'],
  ] as const)('code %i reaches Baileys as its disconnect status', async (code, outcome) => {
    const { client, phone } = await loggedIn();
    const hit = await standin.control.disconnect(phone, code);
    expect(hit.connections).toHaveLength(1);
    expect((await client.closed).statusCode).toBe(code);
    await client.egress.close();
    const { connections } = await standin.control.records();
    expect(connections.find((item) => item.id === hit.connections[0])?.outcome).toBe(outcome);
  });

  it(
    'logs the device out with 401: Baileys sees ' + '401 and its next login is refused with 401',
    async () => {
      const { client, auth, phone } = await loggedIn();
      await standin.control.disconnect(phone, 401);
      expect((await client.closed).statusCode).toBe(401);
      await client.egress.close();
      const again = await startClient(standin, auth);
      expect((await again.closed).statusCode).toBe(401);
      await again.egress.close();
      const account = await standin.control.account(phone);
      expect(account.devices[0]?.removedAt).not.toBeNull();
      expect(account.logins.map((login) => login.result)).toEqual([
        'success',
        'failure 401 (device removed)',
      ]);
    },
  );
});

describe('socket faults', () => {
  it('drops the socket without a close frame: Baileys sees the connection closed', async () => {
    const { client, auth, phone } = await loggedIn();
    const hit = await standin.control.drop(phone);
    const closed = await client.closed;
    expect(closed.statusCode).toBe(428);
    await client.egress.close();
    const { connections } = await standin.control.records();
    expect(connections.find((item) => item.id === hit.connections[0])?.outcome).toBe('dropped');
    // Nothing was lost: the same creds log in again.
    const again = await startClient(standin, auth);
    await again.opened;
    await again.stop();
  });

  it('refuses logins with the injected failure until the fault is cleared', async () => {
    const { client, auth, phone } = await loggedIn();
    await client.stop();
    await standin.control.setAccountFaults(phone, { loginFailure: 403 });
    const refused = await startClient(standin, auth);
    expect((await refused.closed).statusCode).toBe(403);
    await refused.egress.close();
    await standin.control.clearAccountFaults(phone);
    const accepted = await startClient(standin, auth);
    await accepted.opened;
    await accepted.stop();
    const account = await standin.control.account(phone);
    expect(account.logins.map((login) => login.result)).toEqual([
      'success',
      'failure 403 (injected)',
      'success',
    ]);
  });

  it(
    'delays every frame: Baileys query answers take ' +
      'at least the delay, and the socket stays up',
    async () => {
      const { client, phone } = await loggedIn();
      await standin.control.setAccountFaults(phone, { delayFramesMs: 400 });
      const started = Date.now();
      const answer = await ping(client);
      const roundTrip = Date.now() - started;
      console.log(`query round trip with a 400 ms frame delay: ${roundTrip} ms`);
      expect(answer?.attrs.type).toBe('result');
      expect(roundTrip).toBeGreaterThanOrEqual(400);
      await sleep(TEST_TIMINGS.keepAliveIntervalMs * 3);
      expect(client.sock.ws.isOpen).toBe(true);
      await standin.control.clearAccountFaults(phone);
      await client.stop();
    },
  );

  it('stalls frames: a query waits until the stall is cleared, then gets its answer', async () => {
    const { client, phone } = await loggedIn();
    await standin.control.setAccountFaults(phone, { stallFrames: true });
    let answered = false;
    const pending = ping(client).then((answer) => {
      answered = true;
      return answer;
    });
    await sleep(500);
    expect(answered).toBe(false);
    await standin.control.clearAccountFaults(phone);
    expect((await pending)?.attrs.type).toBe('result');
    expect(client.sock.ws.isOpen).toBe(true);
    await client.stop();
  });
});

// Each waits out Baileys' keepalive window, so they run side by side.
describe.concurrent('silence past the keepalive window', () => {
  it(
    'stops answering pings: Baileys closes ' + 'with 408 once its keepalive window passes',
    async () => {
      const { client, phone } = await loggedIn();
      const started = Date.now();
      await standin.control.setAccountFaults(phone, { ignorePings: true });
      const closed = await client.closed;
      console.log(
        `closed ${closed.at - started} ms after pings stopped (limit ${SILENCE_LIMIT_MS} ms)`,
      );
      expect(closed.statusCode).toBe(408);
      expect(closed.at - started).toBeLessThan(SILENCE_LIMIT_MS + 3_000);
      await client.egress.close();
      const account = await standin.control.account(phone);
      const { connections } = await standin.control.records();
      const record = connections.filter((item) => item.account === phone).at(-1);
      expect(record?.pingsIgnored).toBeGreaterThan(0);
      expect(account.faults.ignorePings).toBe(true);
    },
  );

  it('stalls frames past the keepalive window: Baileys closes with 408', async () => {
    const { client, phone } = await loggedIn();
    const started = Date.now();
    await standin.control.setAccountFaults(phone, { stallFrames: true });
    const closed = await client.closed;
    console.log(`closed ${closed.at - started} ms into the stall (limit ${SILENCE_LIMIT_MS} ms)`);
    expect(closed.statusCode).toBe(408);
    await client.egress.close();
    await standin.control.clearAccountFaults(phone);
  });
});

describe('message acks', () => {
  const channel = '120363000000000001@newsletter';

  function acksOf(client: Client): string[] {
    const ids: string[] = [];
    client.sock.ws.on('CB:ack,class:message', (node: BinaryNode) => {
      ids.push(`${node.attrs.id}${node.attrs.error ? ` error ${node.attrs.error}` : ''}`);
    });
    return ids;
  }

  it('acks each message Baileys sends', async () => {
    const { client } = await loggedIn();
    const acks = acksOf(client);
    const sent = await client.sock.sendMessage(channel, { text: 'menu of the day' });
    await waitFor(() => acks.length === 1, 'the ack');
    expect(acks).toEqual([sent?.key.id]);
    await client.stop();
  });

  it('holds acks while the fault is set and sends them when released with an error', async () => {
    const { client, phone } = await loggedIn();
    const acks = acksOf(client);
    await standin.control.setAccountFaults(phone, { holdAcks: true });
    const sent = await client.sock.sendMessage(channel, { text: 'order 17 is ready' });
    await waitFor(async () => (await standin.control.account(phone)).heldAcks === 1, 'a held ack');
    expect(acks).toEqual([]);
    expect(await standin.control.releaseAcks(phone, 479)).toEqual({ released: 1 });
    await waitFor(() => acks.length === 1, 'the released ack');
    expect(acks).toEqual([`${sent?.key.id} error 479`]);
    await client.stop();
  });

  it('sends held acks as they were once the fault is cleared', async () => {
    const { client, phone } = await loggedIn();
    const acks = acksOf(client);
    await standin.control.setAccountFaults(phone, { holdAcks: true });
    const sent = await client.sock.sendMessage(channel, { text: 'closing at ten' });
    await waitFor(async () => (await standin.control.account(phone)).heldAcks === 1, 'a held ack');
    await standin.control.clearAccountFaults(phone);
    await waitFor(() => acks.length === 1, 'the ack');
    expect(acks).toEqual([sent?.key.id]);
    await client.stop();
  });
});
