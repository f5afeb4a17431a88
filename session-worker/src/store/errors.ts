/**
 * The auth-state store's error catalogue. Messages name the tenant, file or
 * field involved and never carry key material.
 */
export const STORE_ERRORS = {
  store_invalid_tenant: {
    meaning: 'The tenant id is not a valid tenant slug.',
    cause: 'user',
  },
  store_invalid_option: {
    meaning: 'A store option is invalid (for example a schema name that is not an identifier).',
    cause: 'user',
  },
  store_locked: {
    meaning: 'Another worker holds the SQLite store file; only one worker may run on it.',
    cause: 'system',
  },
  store_schema_newer: {
    meaning: 'The database was migrated by a newer release than this one; upgrade first.',
    cause: 'system',
  },
  store_corrupt: {
    meaning: 'A stored value could not be decoded.',
    cause: 'system',
  },
  store_tenant_open: {
    meaning: 'The tenant has an open auth handle in this process; close it first.',
    cause: 'system',
  },
  store_stale_handle: {
    meaning: 'The tenant was cleared, deleted or replaced since this handle was loaded.',
    cause: 'system',
  },
  store_fenced: {
    meaning: 'This replica no longer holds the lease the write was fenced with.',
    cause: 'system',
  },
  store_closed: {
    meaning: 'The store or the tenant handle has been closed.',
    cause: 'system',
  },
  store_write_failed: {
    meaning: 'Creds could not be saved; the session must not restart on unsaved creds.',
    cause: 'system',
  },
  import_not_a_folder: {
    meaning: 'The import path is not a readable folder.',
    cause: 'user',
  },
  import_missing_creds: {
    meaning: 'The folder has no creds.json, so it is not a complete Baileys auth folder.',
    cause: 'user',
  },
  import_corrupt_file: {
    meaning: 'A file of the folder is empty or not valid JSON (a partial write?).',
    cause: 'user',
  },
  import_invalid_creds: {
    meaning: 'creds.json lacks a field Baileys needs, or holds it in the wrong form.',
    cause: 'user',
  },
  import_not_paired: {
    meaning: 'creds.json belongs to a device that never finished pairing.',
    cause: 'user',
  },
  import_unknown_file: {
    meaning: 'The folder holds a file that is not part of a Baileys multi-file auth state.',
    cause: 'user',
  },
  import_invalid_key: {
    meaning: 'A key file does not hold the value its type requires.',
    cause: 'user',
  },
  import_missing_keys: {
    meaning:
      'The folder holds creds of a paired device but none of its pre-keys (a partial copy?).',
    cause: 'user',
  },
  import_tenant_exists: {
    meaning: 'The tenant already has a paired account; import with replace to overwrite it.',
    cause: 'user',
  },
} as const satisfies Record<string, { meaning: string; cause: 'user' | 'system' }>;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

export type StoreErrorContext = Record<string, string | number | boolean | undefined>;

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly context: StoreErrorContext;

  constructor(
    code: StoreErrorCode,
    detail?: string,
    context: StoreErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail ?? STORE_ERRORS[code].meaning}`, options);
    this.code = code;
    this.context = context;
  }
}

export function isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
  return value instanceof StoreError && (code === undefined || value.code === code);
}
