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

describe('pairing by code with the simulated phone', () => {
  it(
    'pairs with the code Baileys shows, restarts ' + 'on 515 and logs in with the saved creds',
    async () => {
      const auth = await freshAuth();
      const first = await startClient(standin, auth);
      await first.firstQr;
      const code = await first.sock.requestPairingCode('15550100201');
      const paired = await standin.control.enterLinkCode('15550100201', code);
      expect(paired.method).toBe('code');
      expect(paired.jid).toBe(`15550100201:${paired.device}@s.whatsapp.net`);
      expect((await first.closed).statusCode).toBe(515);
      await first.egress.close();

      const second = await startClient(standin, auth);
      await second.opened;
      expect(second.sock.authState.creds.me?.id).toBe(paired.jid);
      expect(second.sock.authState.creds.me?.lid).toBe(paired.lid);
      await second.stop();
      const account = await standin.control.account('15550100201');
      expect(account.registrations.map((item) => [item.method, item.result])).toEqual([
        ['code', 'paired'],
      ]);
      expect(account.logins.map((login) => login.result)).toEqual(['success']);
    },
  );

  it('refuses a wrong code without pairing, then pairs once the right code is typed', async () => {
    const auth = await freshAuth();
    const client = await startClient(standin, auth);
    await client.firstQr;
    const code = await client.sock.requestPairingCode('15550100202');
    const wrong = code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    const refused = await standin.control
      .enterLinkCode('15550100202', wrong)
      .catch((error: unknown) => error);
    expect((refused as ControlError).code).toBe('link_code_mismatch');
    expect(client.updates.some((update) => update.isNewLogin === true)).toBe(false);

    const paired = await standin.control.enterLinkCode('15550100202', code);
    expect(paired.phone).toBe('15550100202');
    expect((await client.closed).statusCode).toBe(515);
    await client.egress.close();
  });

  it(
    'answers a code typed for a number no companion ' + 'asked about with link_code_no_pending',
    async () => {
      const refused = await standin.control
        .enterLinkCode('15550100299', 'ABCDEFGH')
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ControlError);
      expect((refused as ControlError).code).toBe('link_code_no_pending');
    },
  );

  it('refuses the login of a companion that asked for a code but never paired (401)', async () => {
    const auth = await freshAuth();
    const client = await startClient(standin, auth);
    await client.firstQr;
    // Baileys sets creds.me when asking for a code, so its next connection is a login.
    await client.sock.requestPairingCode('15550100203');
    await client.stop();
    const again = await startClient(standin, auth);
    expect((await again.closed).statusCode).toBe(401);
    await again.egress.close();
  });
});
