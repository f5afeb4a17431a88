import { randomBytes } from 'node:crypto';
import { jidDecode } from '@whiskeysockets/baileys';
import {
  child,
  childBytes,
  contentBytes,
  iqError,
  iqResult,
  type BinaryNode,
} from '../../wire/nodes.js';
import { noticeDeviceChange } from '../../messaging/device-notice.js';
import type { UpstreamConnection } from '../connection.js';

/**
 * `<iq xmlns='md' type='set'><link_code_companion_reg stage=…>`: the
 * companion's half of pairing by code. `companion_hello` is remembered until
 * the phone owner types the code (control API); `companion_finish` is handed
 * to the phone waiting for it.
 */
export function answerLinkCode(node: BinaryNode, connection: UpstreamConnection): void {
  const reg = child(node, 'link_code_companion_reg');
  const registration = connection.ctx.registrations.forConnection(connection);
  if (!reg || !registration) {
    connection.send(iqError(node, 400, 'bad-request'));
    return;
  }
  if (reg.attrs.stage === 'companion_hello') {
    const phone = jidDecode(reg.attrs.jid ?? '')?.user;
    const wrapped = childBytes(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub');
    const noiseKey = childBytes(reg, 'companion_server_auth_key_pub');
    if (!phone || wrapped?.length !== 80 || !noiseKey) {
      connection.send(iqError(node, 400, 'bad-request'));
      return;
    }
    const ref = Buffer.from(randomBytes(24).toString('base64'));
    registration.linkCode = {
      phone,
      ref,
      wrappedEphemeral: wrapped,
      noiseKey,
      platform: contentBytes(child(reg, 'companion_platform_display'))?.toString('utf8') ?? '',
      onFinish: null,
    };
    connection.send(
      iqResult(node, [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }],
        },
      ]),
    );
    return;
  }
  if (reg.attrs.stage === 'companion_finish' && registration.linkCode?.onFinish) {
    // The phone answers it once it has opened the key bundle.
    registration.linkCode.onFinish(node);
    return;
  }
  connection.send(iqError(node, 404, 'item-not-found'));
}

/** `<remove-companion-device>`: the companion logs itself out; its later logins fail with 401. */
export function answerRemoveCompanion(node: BinaryNode, connection: UpstreamConnection): void {
  const target = jidDecode(child(node, 'remove-companion-device')?.attrs.jid ?? '');
  const device = connection.account?.devices.get(target?.device ?? connection.device ?? -1);
  if (connection.account && device && device.removedAt === null) {
    device.removedAt = new Date().toISOString();
    noticeDeviceChange(connection.ctx, connection.account, 'remove', device);
  }
  connection.send(iqResult(node));
}
