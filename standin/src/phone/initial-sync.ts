import type { Account, Device } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import { phoneParty } from '../messaging/addresses.js';
import { releaseAwaitingKeys, sendToAccount, type Sender } from '../messaging/send.js';
import type { UpstreamConnection } from '../session/connection.js';
import { seedAppState } from './app-state-seed.js';
import { historyNotification } from './history.js';

/** The phone as the sender of peer messages to its own companions (device 0, `category=peer`). */
export function phoneSender(account: Account): Sender {
  return {
    party: phoneParty(account),
    signal: account.phoneParty,
    jid: `${account.phone}@s.whatsapp.net`,
    attrs: { category: 'peer', sender_lid: `${account.lid}@lid` },
  };
}

/**
 * What the phone sends a companion it just linked: the app-state sync key,
 * then the history-sync notification. They go once the device has uploaded
 * its pre-keys (the phone needs one to open its Signal session), which is
 * after the login's offline marker, so Baileys is already waiting for its
 * initial history and then runs its app-state sync.
 */
async function initialSync(ctx: StandinContext, account: Account, device: Device) {
  const sender = phoneSender(account);
  await seedAppState(ctx, account);
  await sendToAccount(ctx, sender, account, account.appState.keyShareMessage(), {
    devices: [device],
  });
  const history = await historyNotification(ctx, account, device);
  await sendToAccount(ctx, sender, account, history.message, { devices: [device] });
}

/**
 * The device has pre-keys on the server (its upload, or the digest after
 * it): a device linked just now gets the phone's initial sync, then the
 * copies that waited for its keys, in the order they were sent.
 */
export function keysUploaded(connection: UpstreamConnection): void {
  const { ctx, account } = connection;
  const device = connection.device === null ? undefined : account?.devices.get(connection.device);
  if (!account || !device || device.preKeys.size === 0) return;
  const syncing = device.initialSyncPending;
  if (!syncing && device.awaitingKeys.length === 0) return;
  device.initialSyncPending = false;
  const work = async (): Promise<void> => {
    if (syncing) await initialSync(ctx, account, device);
    await releaseAwaitingKeys(device);
  };
  work().catch((error: unknown) => {
    ctx.messages.addFailure({
      party: phoneParty(account),
      account: account.phone,
      device: device.device,
      messageId: null,
      stage: 'encrypt',
      reason: `initial sync: ${error instanceof Error ? error.message : String(error)}`,
    });
  });
}
