import { keysUploaded } from '../../phone/initial-sync.js';
import { child, childBytes, childrenOf, iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

function uint(bytes: Buffer | undefined): number | null {
  if (!bytes || bytes.length === 0 || bytes.length > 6) return null;
  return bytes.readUIntBE(0, bytes.length);
}

function stripKeyType(key: Buffer | undefined): Buffer | undefined {
  return key && key.length === 33 ? key.subarray(1) : key;
}

/** `<iq xmlns='encrypt' type='get'><count/>`: how many one-time pre-keys the server holds. */
export function answerPreKeyCount(node: BinaryNode, connection: UpstreamConnection): void {
  const device = connection.account?.devices.get(connection.device ?? -1);
  const count = device?.preKeys.size ?? 0;
  connection.send(iqResult(node, [{ tag: 'count', attrs: { value: String(count) } }]));
}

/**
 * `<iq xmlns='encrypt' type='set'>` with registration, identity, the
 * one-time pre-keys and the signed pre-key: kept on the device, because a
 * contact needs this bundle to open a Signal session with it.
 */
export function storePreKeyUpload(node: BinaryNode, connection: UpstreamConnection): void {
  const device = connection.account?.devices.get(connection.device ?? -1);
  if (device) {
    const registrationId = uint(childBytes(node, 'registration'));
    if (registrationId !== null) device.registrationId = registrationId;
    const identity = stripKeyType(childBytes(node, 'identity'));
    if (identity?.length === 32) device.identityKey = identity;
    for (const key of childrenOf(child(node, 'list'), 'key')) {
      const id = uint(childBytes(key, 'id'));
      const value = stripKeyType(childBytes(key, 'value'));
      if (id !== null && value) device.preKeys.set(id, value);
    }
    const skey = child(node, 'skey');
    const skeyId = uint(childBytes(skey, 'id'));
    const skeyValue = stripKeyType(childBytes(skey, 'value'));
    const skeySignature = childBytes(skey, 'signature');
    if (skeyId !== null && skeyValue && skeySignature) {
      device.signedPreKey = { id: skeyId, publicKey: skeyValue, signature: skeySignature };
    }
  }
  connection.send(iqResult(node));
  // A device linked just now has keys from here on: its phone can start the initial sync.
  keysUploaded(connection);
}

/** `<rotate>` inside an encrypt set: a new signed pre-key. */
export function storeSignedPreKeyRotation(node: BinaryNode, connection: UpstreamConnection) {
  const device = connection.account?.devices.get(connection.device ?? -1);
  const skey = child(child(node, 'rotate'), 'skey');
  const id = uint(childBytes(skey, 'id'));
  const value = stripKeyType(childBytes(skey, 'value'));
  const signature = childBytes(skey, 'signature');
  if (device && id !== null && value && signature) {
    device.signedPreKey = { id, publicKey: value, signature };
  }
  connection.send(iqResult(node));
}

function bigEndian(value: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(value, 0, bytes);
  return out;
}

/**
 * `<iq xmlns='encrypt' type='get'><digest/>`: what the server holds of the
 * device's key bundle. Baileys checks only that `<digest>` is there; the
 * real reply also carries a hash the stand-in does not compute.
 */
export function answerDigest(node: BinaryNode, connection: UpstreamConnection): void {
  const device = connection.account?.devices.get(connection.device ?? -1);
  const content: BinaryNode[] = [];
  if (device) {
    content.push(
      { tag: 'registration', attrs: {}, content: bigEndian(device.registrationId, 4) },
      { tag: 'type', attrs: {}, content: Buffer.from([5]) },
      { tag: 'identity', attrs: {}, content: device.identityKey },
      {
        tag: 'skey',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: bigEndian(device.signedPreKey.id, 3) },
          { tag: 'value', attrs: {}, content: device.signedPreKey.publicKey },
          { tag: 'signature', attrs: {}, content: device.signedPreKey.signature },
        ],
      },
      {
        tag: 'list',
        attrs: {},
        content: [...device.preKeys.keys()].map((id) => ({
          tag: 'id',
          attrs: {},
          content: bigEndian(id, 3),
        })),
      },
    );
  }
  connection.send(iqResult(node, [{ tag: 'digest', attrs: {}, content }]));
  keysUploaded(connection);
}
