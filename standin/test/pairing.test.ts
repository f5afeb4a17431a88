import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlError, startStandin, type Standin } from '../src/index.js';
import { authFolder, startClient, type AuthFolder } from './support/client.js';

let standin: Standin;
const folders: AuthFolder[] = [];

async function freshAuth(): Promise<AuthFolder> {
  const folder = await authFolder();
  folders.push(folder);
  return folder;
}

beforeAll(async () => {
  standin = await startStandin();
});

afterAll(async () => {
  await standin.close();
  await Promise.all(folders.map((folder) => folder.remove()));
});

describe('pairing by QR with the simulated phone', () => {
  it(
    'pairs, restarts on 515 without a second QR, ' + 'and logs in again after a client restart',
    async () => {
      const auth = await freshAuth();
      const first = await startClient(standin, auth);
      const paired = await standin.control.scanQr(await first.firstQr, { phone: '15550100001' });
      const afterPairing = await first.closed;
      expect(afterPairing.statusCode).toBe(515);
      expect(first.qrs).toHaveLength(1);
      expect(first.updates.some((update) => update.isNewLogin === true)).toBe(true);
      await first.egress.close();

      const second = await startClient(standin, auth);
      await second.opened;
      expect(second.qrs).toHaveLength(0);
      const creds = second.sock.authState.creds;
      expect(creds.me?.id).toBe(`15550100001:${paired.device}@s.whatsapp.net`);
      expect(creds.me?.lid).toBe(paired.lid);
      expect(creds.me?.name).toBe('Stand-in Restaurant');
      expect(creds.platform).toBe('smba');
      await second.stop();

      // A new process reads the creds back from the folder.
      const third = await startClient(standin, auth);
      await third.opened;
      expect(third.qrs).toHaveLength(0);
      await third.stop();

      const account = await standin.control.account('15550100001');
      expect(account.registrations.map((item) => [item.method, item.result])).toEqual([
        ['qr', 'paired'],
      ]);
      expect(account.logins.map((login) => login.result)).toEqual(['success', 'success']);
      expect(account.devices.map((device) => device.device)).toEqual([paired.device]);
      const { connections } = await standin.control.records();
      const mine = connections.filter((connection) => connection.account === '15550100001');
      expect(mine.map((connection) => [connection.kind, connection.outcome])).toEqual([
        ['registration', 'stream-error 515'],
        ['login', 'client-closed'],
        ['login', 'client-closed'],
      ]);
      // The third connection's intro carried the routing info the second login handed out.
      expect(mine.map((connection) => connection.routed)).toEqual([false, false, true]);
    },
  );

  it(
    'hands out each QR ref in turn on Baileys ' + 'schedule and sees 408 when they run out',
    async () => {
      const quick = await startStandin({ qr: { refCount: 3, firstRefMs: 400, nextRefMs: 400 } });
      try {
        const client = await startClient(quick, await freshAuth(), { qrTimeout: 400 });
        const closed = await client.closed;
        expect(closed.statusCode).toBe(408);
        expect(closed.message).toBe('QR refs attempts ended');
        expect(new Set(client.qrs.map((qr) => qr.split('#')[1]?.split(',')[0])).size).toBe(3);
        const { registrations } = await quick.control.records();
        expect(registrations.map((item) => [item.refsHandedOut, item.result])).toEqual([
          [3, 'closed'],
        ]);
        await client.egress.close();
      } finally {
        await quick.close();
      }
    },
  );

  it('refuses a QR whose ref is past its lifetime', async () => {
    const quick = await startStandin({ qr: { refCount: 1, firstRefMs: 300, nextRefMs: 300 } });
    try {
      // Baileys keeps showing the ref for 60 s; the stand-in's lifetime is 300 ms.
      const client = await startClient(quick, await freshAuth());
      const qr = await client.firstQr;
      await new Promise((resolve) => setTimeout(resolve, 400));
      const refused = await quick.control.scanQr(qr).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ControlError);
      expect((refused as ControlError).code).toBe('qr_expired');
      await client.stop();
    } finally {
      await quick.close();
    }
  });

  it('refuses a QR whose noise key is not the registering connection key', async () => {
    const client = await startClient(standin, await freshAuth());
    const [head, rest] = (await client.firstQr).split('#') as [string, string];
    const fields = rest.split(',');
    fields[1] = Buffer.alloc(32, 7).toString('base64');
    const refused = await standin.control
      .scanQr(`${head}#${fields.join(',')}`)
      .catch((error: unknown) => error);
    expect((refused as ControlError).code).toBe('qr_key_mismatch');
    expect((refused as ControlError).status).toBe(409);
    await client.stop();
  });

  it('refuses a QR string that is not a pairing QR', async () => {
    const refused = await standin.control.scanQr('hello').catch((error: unknown) => error);
    expect((refused as ControlError).code).toBe('qr_malformed');
  });
});
