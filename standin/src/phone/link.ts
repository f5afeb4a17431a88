import { randomBytes } from 'node:crypto';
import type { StandinContext } from '../context.js';
import { StandinError } from '../errors.js';
import { generateCurveKeyPair, sharedSecret } from '../noise/keys.js';
import type { PendingRegistration } from '../session/registrations.js';
import {
  child,
  childBytes,
  iqError,
  iqResult,
  SERVER_JID,
  unixSeconds,
  type BinaryNode,
} from '../wire/nodes.js';
import { deriveAdvSecret, openKeyBundle, unwrapEphemeral, wrapEphemeral } from './link-code.js';
import { completePairing, type PairedDevice } from './pair.js';
import type { PhoneOptions } from './scan.js';

function waitForFinish(registration: PendingRegistration, timeoutMs: number): Promise<BinaryNode> {
  const request = registration.linkCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (request) request.onFinish = null;
      reject(new StandinError('pairing_failed', `no companion_finish within ${timeoutMs} ms`));
    }, timeoutMs);
    if (request) {
      request.onFinish = (finish) => {
        clearTimeout(timer);
        request.onFinish = null;
        resolve(finish);
      };
    }
  });
}

/**
 * The phone owner types the companion's pairing code. The phone opens the
 * companion's ephemeral key with it, sends its own wrapped ephemeral and
 * identity key, opens the key bundle the companion answers with (it opens
 * only if both sides used the same code), derives the same ADV secret as
 * the companion, then pairs as after a QR scan.
 */
export async function enterLinkCode(
  ctx: StandinContext,
  code: string,
  phone: PhoneOptions & { readonly phone: string },
): Promise<PairedDevice> {
  const registration = ctx.registrations.byLinkPhone(phone.phone);
  const request = registration?.linkCode;
  if (!registration || !request) {
    throw new StandinError(
      'link_code_no_pending',
      'no companion asked for a code for this number',
      {
        phone: phone.phone,
      },
    );
  }
  const { connection } = registration;
  const account = ctx.accounts.create(phone);
  const companionEphemeral = await unwrapEphemeral(request.wrappedEphemeral, code);
  const primaryEphemeral = generateCurveKeyPair();
  const finished = waitForFinish(registration, ctx.options.pairingReplyTimeoutMs);
  connection.send({
    tag: 'notification',
    attrs: {
      from: SERVER_JID,
      type: 'link_code_companion_reg',
      id: randomBytes(6).toString('hex'),
      t: unixSeconds(),
    },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: {},
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: request.ref },
          { tag: 'primary_identity_pub', attrs: {}, content: account.identity.public },
          {
            tag: 'link_code_pairing_wrapped_primary_ephemeral_pub',
            attrs: {},
            content: await wrapEphemeral(primaryEphemeral.public, code),
          },
        ],
      },
    ],
  });
  const finish = await finished;
  const reg = child(finish, 'link_code_companion_reg');
  const bundle = childBytes(reg, 'link_code_pairing_wrapped_key_bundle') ?? Buffer.alloc(0);
  const claimedIdentity = childBytes(reg, 'companion_identity_public') ?? Buffer.alloc(0);
  const ephemeralShared = sharedSecret(primaryEphemeral.private, companionEphemeral);
  const opened = openKeyBundle(bundle, ephemeralShared);
  const announced = Buffer.from(registration.pairingData.eIdent ?? []);
  if (
    !opened ||
    !opened.primaryIdentity.equals(account.identity.public) ||
    !opened.companionIdentity.equals(claimedIdentity) ||
    !opened.companionIdentity.equals(announced)
  ) {
    connection.send(iqError(finish, 401, 'not-authorized'));
    throw new StandinError('link_code_mismatch', 'the key bundle did not open with this code');
  }
  connection.send(iqResult(finish));
  const identityShared = sharedSecret(account.identity.private, opened.companionIdentity);
  const advSecret = deriveAdvSecret(ephemeralShared, identityShared, opened.random);
  return completePairing(registration, account, opened.companionIdentity, advSecret, 'code');
}
