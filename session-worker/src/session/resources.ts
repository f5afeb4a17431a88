import type { Logger } from 'pino';
import type { TenantEgress } from '../egress/index.js';
import type { Lease } from '../lease/index.js';
import { makeCacheableSignalKeyStore, type SignalKeyStore } from '@whiskeysockets/baileys';
import { isStoreError, type TenantAuth } from '../store/index.js';
import { errorFields, type SessionContext } from './context.js';
import { KeyCache } from './key-cache.js';

/**
 * A running tenant's auth handle and egress. Both live from the first socket
 * of a run to its stop, across reconnects: creds stay in one handle, and the
 * egress keeps the tenant's policy and route.
 */
export class TenantResources {
  private handle: TenantAuth | undefined;
  private cachedKeys: SignalKeyStore | undefined;
  private readonly cache = new KeyCache();
  private egressHandle: TenantEgress | undefined;

  constructor(
    private readonly tenant: string,
    private readonly ctx: SessionContext,
    private readonly log: Logger,
    /** A write was refused because another replica owns the tenant, or it was cleared. */
    private readonly onRefused: () => void,
  ) {}

  get auth(): TenantAuth | undefined {
    return this.handle;
  }

  get egress(): TenantEgress | undefined {
    return this.egressHandle;
  }

  /** The open handle's keys behind this run's read cache, for Baileys. */
  get keys(): SignalKeyStore | undefined {
    return this.cachedKeys;
  }

  /** Loads the auth state once per run; on PostgreSQL every write is fenced by `lease`. */
  async openAuth(lease: Lease | undefined): Promise<TenantAuth> {
    if (this.handle) return this.handle;
    const fence =
      this.ctx.leases.mode === 'postgres' && lease
        ? { owner: lease.owner, epoch: lease.epoch }
        : undefined;
    const handle: TenantAuth = await this.ctx.store.load(this.tenant, {
      ...(fence ? { fence } : {}),
      onWriteError: (error) => this.onWriteError(handle, error),
    });
    this.handle = handle;
    this.cachedKeys = makeCacheableSignalKeyStore(handle.state.keys, undefined, this.cache);
    return handle;
  }

  ensureEgress(): TenantEgress {
    this.egressHandle ??= this.ctx.egressFor(this.tenant);
    return this.egressHandle;
  }

  /** Flushes and closes the auth handle; a refused flush after a lost lease is only logged. */
  async closeAuth(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.cachedKeys = undefined;
    this.cache.flushAll();
    if (!handle) return;
    try {
      await handle.close();
    } catch (error) {
      // After a lost lease the fence refuses the flush, as it should.
      this.log.warn({ err: errorFields(error) }, 'auth handle closed with unsaved writes');
    }
  }

  async closeEgress(): Promise<void> {
    const egress = this.egressHandle;
    this.egressHandle = undefined;
    await egress?.close().catch((error: unknown) => {
      this.log.warn({ err: errorFields(error) }, 'egress did not close cleanly');
    });
  }

  private onWriteError(handle: TenantAuth, error: Error): void {
    if (handle !== this.handle) return;
    if (isStoreError(error, 'store_fenced') || isStoreError(error, 'store_stale_handle')) {
      // Another replica owns the tenant now, or it was logged out elsewhere:
      // this socket must not go on writing or talking.
      this.log.warn({ code: error.code }, 'auth write refused; ending the socket');
      this.onRefused();
      return;
    }
    this.log.error({ err: errorFields(error) }, 'auth write failed');
  }
}

/**
 * A pairing-code request sets `creds.me` before pairing finishes
 * (rc14 `requestPairingCode`), and Baileys logs in rather than registers
 * whenever `me` is set (`validateConnection`). An abandoned request would
 * make every later socket fail its login, so an unpaired state forgets it.
 */
export function forgetUnfinishedPairing(auth: TenantAuth): void {
  if (auth.paired) return;
  const creds = auth.state.creds as { me?: unknown; pairingCode?: unknown };
  if (creds.me === undefined && creds.pairingCode === undefined) return;
  delete creds.me;
  delete creds.pairingCode;
}
