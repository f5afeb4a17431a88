import {
  chatModificationToAppPatch,
  encodeSyncdPatch,
  newLTHashState,
  proto,
} from '@whiskeysockets/baileys';
import type { Account } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import { encryptMedia } from '../media/crypto.js';

/**
 * The state a phone has before its first companion: `critical_block` holds
 * the push name setting. It is served as a snapshot in an external blob on
 * the media host (encrypted as `md-app-state`), as the real service hands
 * out larger state, so a companion's first sync downloads it from the fixed
 * media host. The record is encrypted and MACed with the account's sync key
 * by Baileys' own patch encoder; a one-record snapshot at version 1 has the
 * same MAC as that patch's snapshot MAC.
 */
export function seedAppState(ctx: StandinContext, account: Account): Promise<void> {
  return account.appState.seedOnce(async () => {
    const { key } = account.appState;
    const keyId = key.keyId.toString('base64');
    const create = chatModificationToAppPatch(
      { pushNameSetting: account.pushName },
      `${account.phone}@s.whatsapp.net`,
    );
    const { patch, state } = await encodeSyncdPatch(create, keyId, newLTHashState(), (id) =>
      Promise.resolve(id === keyId ? key.keyData : null),
    );
    const snapshot = proto.SyncdSnapshot.encode({
      version: { version: state.version },
      records: (patch.mutations ?? []).map((mutation) => mutation.record ?? {}),
      mac: patch.snapshotMac,
      keyId: { id: key.keyId },
    }).finish();
    const encrypted = await encryptMedia(Buffer.from(snapshot), 'md-app-state');
    const stored = ctx.media.put(encrypted.file, {
      account: null,
      kind: 'md-app-state',
      audience: account.phone,
    });
    const reference = proto.ExternalBlobReference.encode({
      mediaKey: encrypted.mediaKey,
      directPath: stored.directPath,
      handle: stored.id,
      fileSizeBytes: encrypted.fileLength,
      fileSha256: encrypted.fileSha256,
      fileEncSha256: encrypted.fileEncSha256,
    }).finish();
    account.appState.setSnapshot(create.type, {
      version: state.version,
      reference: Buffer.from(reference),
    });
  });
}
