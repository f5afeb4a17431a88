import type { AuthenticationCreds, SignalDataSet, SignalKeyStore } from '@whiskeysockets/baileys';
import type { AuthBackend, KeyRow } from './backend.js';
import { decodeKey, encodeValue, pairedAccountOf } from './codec.js';
import { StoreError } from './errors.js';
import type { OpenOptions, TenantAuth } from './types.js';
import { WriteQueue } from './write-queue.js';

/**
 * One tenant's handle over a backend. Key writes and creds saves share one
 * queue, each committed before its promise resolves; creds saves coalesce,
 * and a save always writes the creds as they are when it starts.
 */
export class BackendTenantAuth implements TenantAuth {
  readonly state: { creds: AuthenticationCreds; keys: SignalKeyStore };
  private readonly queue = new WriteQueue();
  private pendingSave: Promise<void> | undefined;
  private requested = 0;
  private saved = 0;
  private closed = false;

  constructor(
    readonly tenant: string,
    creds: AuthenticationCreds,
    private readonly generation: number,
    private readonly backend: AuthBackend,
    private readonly options: OpenOptions,
    private readonly onClosed: () => void,
  ) {
    this.state = {
      creds,
      keys: {
        get: (type, ids) => this.getKeys(type, ids),
        set: (data) => this.setKeys(data),
        clear: () => this.write(() => this.backend.clearKeys(tenant, generation, options.fence)),
      },
    };
  }

  get paired(): boolean {
    return pairedAccountOf(this.state.creds) !== null;
  }

  saveCreds(): Promise<void> {
    this.requested += 1;
    if (this.pendingSave) return this.pendingSave;
    const save = this.write(async () => {
      this.pendingSave = undefined;
      const upTo = this.requested;
      const { creds } = this.state;
      await this.backend.writeCreds(
        this.tenant,
        this.generation,
        { creds: encodeValue(creds), account: pairedAccountOf(creds) },
        this.options.fence,
      );
      this.saved = Math.max(this.saved, upTo);
    });
    this.pendingSave = save;
    return save;
  }

  async flush(): Promise<void> {
    await this.queue.idle();
    if (this.saved >= this.requested) return;
    // The last save failed: try once more, so a restart never reads older creds.
    try {
      await this.saveCreds();
    } catch (error) {
      throw new StoreError(
        'store_write_failed',
        `creds of tenant ${this.tenant}`,
        {
          tenant: this.tenant,
          cause: error instanceof Error ? error.message : String(error),
        },
        { cause: error },
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.onClosed();
    }
  }

  private async getKeys<T extends string>(type: T, ids: string[]) {
    if (this.closed) throw this.closedError();
    const rows = await this.backend.readKeys(this.tenant, type, ids);
    const result: Record<string, never> = {};
    for (const [id, text] of rows) {
      result[id] = decodeKey(type, text, { tenant: this.tenant }) as never;
    }
    return result;
  }

  private async setKeys(data: SignalDataSet): Promise<void> {
    const rows: KeyRow[] = [];
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) {
        rows.push({
          type,
          id,
          value: value === null || value === undefined ? null : encodeValue(value),
        });
      }
    }
    if (rows.length === 0) return;
    await this.write(() =>
      this.backend.writeKeys(this.tenant, this.generation, rows, this.options.fence),
    );
  }

  private write<T>(job: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.queue.run(job).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.options.onWriteError?.(failure);
      throw failure;
    });
  }

  private closedError(): StoreError {
    return new StoreError('store_closed', `auth handle of tenant ${this.tenant}`, {
      tenant: this.tenant,
    });
  }
}
