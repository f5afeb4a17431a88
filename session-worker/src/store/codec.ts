import { BufferJSON, proto } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, SignalDataTypeMap } from '@whiskeysockets/baileys';
import { StoreError } from './errors.js';

/**
 * Values are stored as JSON text in the encoding of Baileys' own BufferJSON,
 * the encoding of its multi-file auth folders, so an imported file and a
 * stored row decode the same way on both backends.
 */

export type KeyType = keyof SignalDataTypeMap;

/** Every key type of Baileys 7.0.0-rc14's SignalDataTypeMap. */
export const KEY_TYPES = [
  'pre-key',
  'session',
  'sender-key',
  'sender-key-memory',
  'app-state-sync-key',
  'app-state-sync-version',
  'lid-mapping',
  'device-list',
  'tctoken',
  'identity-key',
] as const satisfies readonly KeyType[];

// Fails to compile when a Baileys upgrade adds a key type this list lacks.
type MissingKeyType = Exclude<KeyType, (typeof KEY_TYPES)[number]>;
const _allKeyTypesListed: [MissingKeyType] extends [never] ? true : false = true;
void _allKeyTypesListed;

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

/** Decodes a key value; app-state sync keys become protobuf objects, as Baileys reads them. */
export function decodeKey(type: string, text: string, context: { tenant: string }): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text, BufferJSON.reviver);
  } catch {
    throw new StoreError('store_corrupt', `a ${type} key of tenant ${context.tenant}`, {
      tenant: context.tenant,
      type,
    });
  }
  if (type === 'app-state-sync-key' && value) {
    return proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
  }
  return value;
}

export function decodeCreds(text: string, tenant: string): AuthenticationCreds {
  try {
    return JSON.parse(text, BufferJSON.reviver) as AuthenticationCreds;
  } catch {
    throw new StoreError('store_corrupt', `the creds of tenant ${tenant}`, { tenant });
  }
}

/**
 * The paired account's id, null until pairing finished. `me` alone is not
 * enough: Baileys sets it as soon as a pairing code is requested, while the
 * signed device identity (`account`) arrives only with pair-success.
 */
export function pairedAccountOf(creds: Pick<AuthenticationCreds, 'me' | 'account'>): string | null {
  return creds.me?.id && creds.account ? creds.me.id : null;
}
