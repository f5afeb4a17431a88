import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlError, startStandin, type Standin } from '../src/index.js';

let standin: Standin;

beforeAll(async () => {
  standin = await startStandin({ plain: false });
});

afterAll(async () => {
  await standin.close();
});

async function failure(call: Promise<unknown>): Promise<[number, string, unknown]> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ControlError)) throw new Error('expected a ControlError');
  return [error.status, error.code, error.context.field];
}

describe('the control API', () => {
  it('describes the running stand-in at its root', async () => {
    const info = await standin.control.info();
    expect(info.name).toBe('pasarela-standin');
    expect(info.hostMap).toEqual(standin.hostMap);
    expect(info.plain).toBeNull();
    expect(info.caPath).toBe(standin.caPath);
    expect(Buffer.from(info.noiseRoot, 'base64').equals(standin.noiseRootPublicKey)).toBe(true);
  });

  it('answers errors with their catalogue code, status and the bad field', async () => {
    expect(await failure(standin.control.account('15550109999'))).toEqual([
      404,
      'account_unknown',
      undefined,
    ]);
    expect(
      await failure(
        standin.control.setAccountFaults('*', { stallFrames: 1 as unknown as boolean }),
      ),
    ).toEqual([400, 'bad_request', 'stallFrames']);
    expect(await failure(standin.control.disconnect('15550109999', 500 as unknown as 515))).toEqual(
      [400, 'bad_request', 'code'],
    );
    expect(await failure(standin.control.scanQr(''))).toEqual([400, 'bad_request', 'qr']);
  });

  it('answers an unknown route with not_found', async () => {
    const response = await fetch(new URL('/nothing/here', standin.controlUrl));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('keeps faults until cleared and lists them', async () => {
    await standin.control.setAccountFaults('15550100001', { delayFramesMs: 250 });
    await standin.control.setHostFaults('web.whatsapp.com', { refuseUpgrades: 'foreign-origin' });
    const listed = await (await fetch(new URL('/faults', standin.controlUrl))).json();
    expect(listed).toMatchObject({
      accounts: { '15550100001': { delayFramesMs: 250 } },
      hosts: { 'web.whatsapp.com': { refuseUpgrades: 'foreign-origin', refusalStatus: 403 } },
    });
    await standin.control.clearAccountFaults('15550100001');
    await standin.control.clearHostFaults('web.whatsapp.com');
    expect(await (await fetch(new URL('/faults', standin.controlUrl))).json()).toEqual({
      accounts: {},
      hosts: {},
    });
  });
});
