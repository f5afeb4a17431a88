import type { AuthenticationCreds } from '@whiskeysockets/baileys';
import type { KeyType } from '../codec.js';

/**
 * Shape checks for an imported auth state. They refuse what cannot be a
 * value Baileys wrote (truncated JSON already failed earlier): a missing
 * key pair, a number where bytes belong. They do not judge the crypto.
 */

type Check = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
const isBytes =
  (length?: number): Check =>
  (v) =>
    Buffer.isBuffer(v) && (length === undefined ? v.length > 0 : v.length === length);
const isKeyPair: Check = (v) =>
  isObject(v) && isBytes(32)(v['public']) && isBytes(32)(v['private']);
const isInteger: Check = (v) => Number.isInteger(v);

const CREDS_FIELDS: readonly [string, Check][] = [
  ['noiseKey', isKeyPair],
  ['pairingEphemeralKeyPair', isKeyPair],
  ['signedIdentityKey', isKeyPair],
  ['signedPreKey', isObject],
  ['signedPreKey.keyPair', isKeyPair],
  ['signedPreKey.signature', isBytes(64)],
  ['signedPreKey.keyId', isInteger],
  ['registrationId', isInteger],
  ['advSecretKey', (v) => typeof v === 'string' && Buffer.from(v, 'base64').length === 32],
  ['nextPreKeyId', isInteger],
  ['firstUnuploadedPreKeyId', isInteger],
  ['accountSyncCounter', isInteger],
  ['accountSettings', isObject],
  ['processedHistoryMessages', Array.isArray],
];

/** The first creds field that is missing or malformed, or undefined when all are sound. */
export function findBadCredsField(creds: unknown): string | undefined {
  if (!isObject(creds)) return '(root)';
  for (const [path, check] of CREDS_FIELDS) {
    if (!check(valueAt(creds, path))) return path;
  }
  const me = creds['me'];
  if (me !== undefined && !(isObject(me) && typeof me['id'] === 'string')) return 'me.id';
  return undefined;
}

export function isPairedCreds(creds: AuthenticationCreds): boolean {
  return typeof creds.me?.id === 'string' && creds.me.id.length > 0 && isObject(creds.account);
}

const KEY_CHECKS: Record<KeyType, Check> = {
  'pre-key': isKeyPair,
  // rc14 stores libsignal's SessionRecord.serialize() output, an object,
  // though the type map says bytes; accept both.
  session: (v) => isObject(v) || isBytes()(v),
  'sender-key': (v) => isBytes()(v) || isObject(v) || Array.isArray(v),
  'sender-key-memory': (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'boolean'),
  'app-state-sync-key': isObject,
  'app-state-sync-version': (v) => isObject(v) && isInteger(v['version']),
  'lid-mapping': (v) => typeof v === 'string' && v.length > 0,
  'device-list': (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  tctoken: (v) => isObject(v) && v['token'] !== undefined,
  'identity-key': isBytes(),
};

export function isValidKey(type: KeyType, value: unknown): boolean {
  return KEY_CHECKS[type](value);
}

function valueAt(root: Record<string, unknown>, path: string): unknown {
  let current: unknown = root;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}
