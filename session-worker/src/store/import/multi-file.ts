import { BufferJSON, type AuthenticationCreds } from '@whiskeysockets/baileys';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../errors.js';
import type { AuthStore, ImportOptions } from '../types.js';
import { CREDS_FILE, parseKeyFileName } from './file-names.js';
import { findBadCredsField, isPairedCreds, isValidKey } from './validate.js';

export interface FolderImportOptions extends ImportOptions {
  /** Skip entries that are not part of an auth state (such as `.DS_Store`) instead of refusing. */
  readonly ignoreUnknownFiles?: boolean;
}

export interface FolderImportResult {
  readonly tenant: string;
  readonly account: string;
  /** Keys stored, by type. */
  readonly keys: Readonly<Record<string, number>>;
  readonly ignored: readonly string[];
}

const READ_CONCURRENCY = 32;

/**
 * Imports a folder written by Baileys' `useMultiFileAuthState` into the
 * store. Every file is read and checked before anything is written, and the
 * write is one transaction, so a refused or failed import leaves the store
 * as it was. Errors name the offending file or field, never its content.
 */
export async function importMultiFileFolder(
  store: AuthStore,
  tenant: string,
  folder: string,
  options: FolderImportOptions = {},
): Promise<FolderImportResult> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    throw new StoreError('import_not_a_folder', folder, { tenant }, { cause: error });
  });
  const ignored: string[] = [];
  const keyFiles: { name: string; type: string; id: string }[] = [];
  let hasCreds = false;
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const parsed = entry.isFile() ? parseKeyFileName(entry.name) : undefined;
    if (entry.isFile() && entry.name === CREDS_FILE) hasCreds = true;
    else if (parsed) keyFiles.push({ name: entry.name, ...parsed });
    else if (options.ignoreUnknownFiles) ignored.push(entry.name);
    else throw new StoreError('import_unknown_file', entry.name, { tenant, file: entry.name });
  }
  if (!hasCreds) throw new StoreError('import_missing_creds', folder, { tenant });

  const creds = (await readJson(folder, CREDS_FILE, tenant)) as AuthenticationCreds;
  const badField = findBadCredsField(creds);
  if (badField) {
    throw new StoreError('import_invalid_creds', `field ${badField}`, { tenant, field: badField });
  }
  if (!isPairedCreds(creds)) throw new StoreError('import_not_paired', folder, { tenant });

  const keys = new Map<string, Map<string, unknown>>();
  const counts: Record<string, number> = {};
  for (let i = 0; i < keyFiles.length; i += READ_CONCURRENCY) {
    const batch = keyFiles.slice(i, i + READ_CONCURRENCY);
    const values = await Promise.all(batch.map((f) => readJson(folder, f.name, tenant)));
    batch.forEach((file, index) => {
      const value = values[index];
      if (!isValidKey(file.type as never, value)) {
        throw new StoreError('import_invalid_key', `${file.name} (${file.type})`, {
          tenant,
          file: file.name,
          type: file.type,
        });
      }
      const byId = keys.get(file.type) ?? new Map<string, unknown>();
      keys.set(file.type, byId.set(file.id, value));
      counts[file.type] = (counts[file.type] ?? 0) + 1;
    });
  }
  // Once Baileys has made one-time pre-keys (its first login after pairing
  // does) it keeps unused ones and tops them up, so a folder whose creds say
  // keys were made but that holds none is an incomplete copy. A folder saved
  // between pairing and that first login has made none yet and is whole.
  const madePreKeys = creds.nextPreKeyId > 1;
  if (madePreKeys && !counts['pre-key']) {
    throw new StoreError('import_missing_keys', folder, { tenant });
  }

  await store.importSnapshot(tenant, { creds, keys }, options);
  return { tenant, account: creds.me?.id ?? '', keys: counts, ignored };
}

async function readJson(folder: string, name: string, tenant: string): Promise<unknown> {
  const corrupt = (cause?: unknown) =>
    new StoreError('import_corrupt_file', name, { tenant, file: name }, { cause });
  let text: string;
  try {
    text = await readFile(join(folder, name), 'utf8');
  } catch (error) {
    throw corrupt(error);
  }
  if (text.trim().length === 0) throw corrupt();
  try {
    return JSON.parse(text, BufferJSON.reviver) as unknown;
  } catch (error) {
    throw corrupt(error);
  }
}
