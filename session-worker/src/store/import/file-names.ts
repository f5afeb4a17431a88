import { KEY_TYPES, type KeyType } from '../codec.js';

/**
 * Baileys' multi-file auth state names a key's file `${type}-${id}.json`
 * after replacing `/` with `__` and `:` with `-` in the whole name. That is
 * lossy (a dash may be original or a colon), so the id is recovered per type
 * from what rc14 actually stores under it:
 * - `sender-key` ids are `${group}::${sender}::${device}`; old group ids keep
 *   a dash of their own (`123-456@g.us`), so only the last two `--` are
 *   colons;
 * - `app-state-sync-key` ids are base64, where `__` can only be a `/`;
 * - every other id has neither colon nor slash; `tctoken`'s own index key
 *   is literally `__index`.
 */
export interface KeyFile {
  readonly type: KeyType;
  readonly id: string;
}

// Longest first, so `sender-key-memory-x` is not read as a `sender-key` file.
const TYPES_BY_LENGTH = [...KEY_TYPES].sort((a, b) => b.length - a.length);

export const CREDS_FILE = 'creds.json';

/** The type and original id a key file stands for, or undefined for a foreign file. */
export function parseKeyFileName(name: string): KeyFile | undefined {
  if (!name.endsWith('.json')) return undefined;
  const stem = name.slice(0, -'.json'.length);
  const type = TYPES_BY_LENGTH.find((t) => stem.startsWith(`${t}-`));
  if (!type) return undefined;
  const encoded = stem.slice(type.length + 1);
  if (encoded.length === 0) return undefined;
  const id = decodeId(type, encoded);
  return id === undefined ? undefined : { type, id };
}

function decodeId(type: KeyType, encoded: string): string | undefined {
  switch (type) {
    case 'sender-key': {
      const match = /^(.+)--([^-]+)--(\d+)$/.exec(encoded);
      return match ? `${match[1]}::${match[2]}::${match[3]}` : undefined;
    }
    case 'app-state-sync-key':
      return encoded.replaceAll('__', '/');
    default:
      return encoded;
  }
}
