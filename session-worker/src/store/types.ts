import type { AuthenticationCreds, AuthenticationState } from '@whiskeysockets/baileys';

/**
 * Proof of lease ownership that a PostgreSQL store checks inside every write
 * transaction: a replica that lost its lease cannot overwrite the auth state
 * of the replica that took the tenant over.
 */
export interface WriteFence {
  readonly owner: string;
  readonly epoch: number;
}

export interface OpenOptions {
  /** PostgreSQL only; the SQLite file lock already fences the whole file. */
  readonly fence?: WriteFence;
  /**
   * Told of every failed write, besides the rejected promise: Baileys calls
   * some writes without awaiting them, and a `store_fenced` or
   * `store_stale_handle` means the socket must end at once.
   */
  readonly onWriteError?: (error: Error) => void;
}

/** One tenant's auth state, loaded and ready to hand to Baileys as `auth`. */
export interface TenantAuth {
  readonly tenant: string;
  /**
   * `creds` is the live object Baileys mutates; `keys` commits every write
   * before its promise resolves.
   */
  readonly state: AuthenticationState;
  /** Whether the creds belong to a paired device (a login, not a QR, is next). */
  readonly paired: boolean;
  /**
   * Saves the current creds. Writes run one at a time in call order; calls
   * made while a save waits to start share it. Hook it to `creds.update`.
   */
  saveCreds(): Promise<void>;
  /** Resolves when every write asked for so far is committed; throws if creds stay unsaved. */
  flush(): Promise<void>;
  /** Flushes, then refuses further writes. */
  close(): Promise<void>;
}

export interface TenantSummary {
  readonly tenant: string;
  /** `creds.me.id` of the paired account; null before pairing or after logout. */
  readonly account: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A whole auth state, as an import brings it in. */
export interface AuthSnapshot {
  readonly creds: AuthenticationCreds;
  /** Keys by type, then id, as Baileys would have set them. */
  readonly keys: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
}

export interface ImportOptions {
  /** Overwrite a tenant that already has a paired account. */
  readonly replace?: boolean;
}

/** The auth-state store: one interface over SQLite and PostgreSQL. */
export interface AuthStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Loads a tenant's auth state, creating the tenant with fresh creds if it
   * is new or was cleared. Refuses while this process has it open already.
   */
  load(tenant: string, options?: OpenOptions): Promise<TenantAuth>;
  /** Logout: drops creds and keys; the next load starts a new pairing. */
  clear(tenant: string): Promise<void>;
  /** Removes the tenant entirely; resolves false if it did not exist. */
  delete(tenant: string): Promise<boolean>;
  list(): Promise<TenantSummary[]>;
  /** Writes a whole snapshot in one transaction: all of it or nothing. */
  importSnapshot(tenant: string, snapshot: AuthSnapshot, options?: ImportOptions): Promise<void>;
  /** Closes the store; open tenant handles are flushed first. */
  close(): Promise<void>;
}
