import type { StandinContext } from '../context.js';
import { ALL_ACCOUNTS } from '../faults.js';
import { noticeDeviceChange } from '../messaging/device-notice.js';
import type { UpstreamConnection } from '../session/connection.js';
import {
  streamErrorNode,
  streamErrorOutcome,
  type StreamErrorCode,
} from '../session/stream-errors.js';

/** The open connections an action targets: one account's, or every one for `*`. */
function targets(ctx: StandinContext, account: string): UpstreamConnection[] {
  const all = ctx.connections.all().filter((connection) => connection.phase !== 'ending');
  return account === ALL_ACCOUNTS
    ? all
    : all.filter((connection) => connection.record.account === account);
}

/** Cuts the sockets without a close frame, as a dead network would. */
export function dropConnections(ctx: StandinContext, account: string): string[] {
  const hit = targets(ctx, account);
  for (const connection of hit) connection.drop('dropped');
  return hit.map((connection) => connection.record.id);
}

/**
 * Sends a disconnect code to each live socket. 401 also unlinks the device,
 * as the phone removing it would, so its next login fails with 401 too.
 */
export function disconnectConnections(
  ctx: StandinContext,
  account: string,
  code: StreamErrorCode,
): string[] {
  const hit = targets(ctx, account);
  for (const connection of hit) {
    if (code === 401 && connection.account && connection.device !== null) {
      const device = connection.account.devices.get(connection.device);
      if (device && device.removedAt === null) {
        device.removedAt = new Date().toISOString();
        noticeDeviceChange(ctx, connection.account, 'remove', device);
      }
    }
    connection.endWith(streamErrorNode(code), streamErrorOutcome(code));
  }
  return hit.map((connection) => connection.record.id);
}

/** Sends every held message ack now, with an error code if given. */
export function releaseAcks(ctx: StandinContext, account: string, error?: string): number {
  return targets(ctx, account).reduce((sum, connection) => sum + connection.releaseAcks(error), 0);
}
