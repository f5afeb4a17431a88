import { proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { AppStateServer } from '../src/phone/app-state.js';

function patch(): Buffer {
  return Buffer.from(proto.SyncdPatch.encode({ keyId: { id: Buffer.from('key') } }).finish());
}

describe("the server's app-state collections", () => {
  it('numbers uploaded patches and hands out those after the version a device has', () => {
    const state = new AppStateServer();
    expect([
      state.applyPatch('regular', 0, patch()),
      state.applyPatch('regular', 1, patch()),
    ]).toEqual([1, 2]);
    const answer = state.answer('regular', 1, false);
    expect(answer.version).toBe(2);
    expect(
      answer.patches.map((bytes) => Number(proto.SyncdPatch.decode(bytes).version?.version)),
    ).toEqual([2]);
  });

  it('refuses a patch made on a version that is no longer the latest', () => {
    const state = new AppStateServer();
    state.applyPatch('regular_low', 0, patch());
    expect(state.applyPatch('regular_low', 0, patch())).toBeNull();
    expect(state.versions()).toEqual({ regular_low: 1 });
  });

  it('answers with the snapshot when asked, then the patches after it', () => {
    const state = new AppStateServer();
    state.setSnapshot('critical_block', { version: 1, reference: Buffer.from('blob') });
    state.applyPatch('critical_block', 1, patch());
    const fresh = state.answer('critical_block', 0, true);
    expect([fresh.snapshot?.toString(), fresh.patches.length, fresh.version]).toEqual([
      'blob',
      1,
      2,
    ]);
    const known = state.answer('critical_block', 2, false);
    expect([known.snapshot, known.patches.length]).toEqual([null, 0]);
  });

  it('answers an empty collection at version 0 with nothing in it', () => {
    expect(new AppStateServer().answer('regular_high', 0, true)).toEqual({
      version: 0,
      snapshot: null,
      patches: [],
    });
  });

  it('shares its sync key in an APP_STATE_SYNC_KEY_SHARE message', () => {
    const state = new AppStateServer();
    const share = state.keyShareMessage().protocolMessage;
    expect(share?.type).toBe(proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE);
    expect(Buffer.from(share?.appStateSyncKeyShare?.keys?.[0]?.keyId?.keyId ?? [])).toEqual(
      state.key.keyId,
    );
  });
});
