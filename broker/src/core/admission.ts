import {
  agreeLimits,
  decodeMessage,
  FrameType,
  isProtocolError,
  isTenantId,
  PROTOCOL_VERSION,
  ProtocolError,
  verifyToken,
} from '@pasarela/shared';
import type { FrameHeader, Limits, TokenKeySet } from '@pasarela/shared';
import type { ConnectionRole } from './records.js';

export interface Admitted {
  role: ConnectionRole;
  epoch: number | null;
}

/**
 * Decides from the token alone who may connect. The token rides in the
 * query string because browsers cannot set handshake headers; it must be
 * for this room's tenant and for the worker or peer role.
 */
export async function admit(
  url: URL,
  tenant: string,
  keys: TokenKeySet,
  highestEpoch: number,
  now: number,
): Promise<Admitted> {
  if (!isTenantId(tenant)) throw new ProtocolError('not_found', 'no room has that name');
  const claims = await verifyToken(url.searchParams.get('token'), keys, {
    tenant,
    roles: ['worker', 'peer'],
    now,
  });
  if (claims.role === 'worker') {
    const epoch = claims.epoch ?? 0;
    // A paused replica that lost its lease must not evict the rightful one.
    if (epoch < highestEpoch) {
      throw new ProtocolError(
        'auth_stale_epoch',
        `lease epoch ${epoch} is lower than ${highestEpoch}, already seen here`,
        { tenant },
      );
    }
    return { role: 'worker', epoch };
  }
  return { role: 'peer', epoch: null };
}

/**
 * Checks the first frame of a connection: it must be a Hello of protocol
 * version 1 for the role the token gave. Returns the agreed limits.
 */
export function acceptHello(
  header: FrameHeader,
  bytes: Uint8Array,
  role: ConnectionRole,
  ours: Limits,
): Limits {
  if (header.type !== FrameType.Hello) {
    throw new ProtocolError('handshake_required', 'the first frame must be Hello');
  }
  let hello;
  try {
    const message = decodeMessage(bytes, bytes.byteLength);
    if (message.kind !== 'hello') throw new ProtocolError('handshake_required');
    hello = message.body;
  } catch (error) {
    if (isProtocolError(error)) throw error;
    throw new ProtocolError('bad_frame', 'Hello could not be read');
  }
  if (hello.protocol !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      'version_mismatch',
      `client speaks protocol ${hello.protocol}, this room speaks ${PROTOCOL_VERSION}`,
    );
  }
  if (hello.role !== role) {
    throw new ProtocolError('auth_wrong_role', `Hello says ${hello.role}, the token says ${role}`);
  }
  return agreeLimits(ours, hello.limits);
}
