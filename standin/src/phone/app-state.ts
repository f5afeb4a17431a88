import { randomBytes, randomInt } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';

/** The app-state collections a companion syncs (Baileys' `ALL_WA_PATCH_NAMES`). */
export const APP_STATE_COLLECTIONS = [
  'critical_block',
  'critical_unblock_low',
  'regular_high',
  'regular_low',
  'regular',
] as const;

/** The key the phone shares with its companions to encrypt and sign app-state data. */
export interface AppStateKey {
  /** 6 bytes; companions store the key under its base64. */
  readonly keyId: Buffer;
  readonly keyData: proto.Message.IAppStateSyncKeyData;
}

/** An app-state snapshot held as an external blob on the media host. */
export interface SnapshotRef {
  readonly version: number;
  /** Serialized `ExternalBlobReference`: the `<snapshot>` content. */
  readonly reference: Buffer;
}

interface Collection {
  version: number;
  snapshot: SnapshotRef | null;
  /** Serialized `SyncdPatch`es by version, each carrying its version. */
  readonly patches: Map<number, Buffer>;
}

/** What the server answers for one collection of a sync request. */
export interface CollectionAnswer {
  readonly version: number;
  readonly snapshot: Buffer | null;
  readonly patches: Buffer[];
}

/**
 * An account's app state as the server keeps it: per collection, an optional
 * snapshot and the patches after it, each at its version. Companions upload
 * patches; the server numbers them and hands them to the account's other
 * devices. The sync key lives on the phone and reaches each new companion in
 * an `APP_STATE_SYNC_KEY_SHARE` message.
 */
export class AppStateServer {
  readonly key: AppStateKey;
  private readonly collections = new Map<string, Collection>();
  private seeding: Promise<void> | null = null;

  constructor() {
    this.key = {
      keyId: randomBytes(6),
      keyData: {
        keyData: randomBytes(32),
        fingerprint: { rawId: randomInt(1, 2 ** 31), currentIndex: 0, deviceIndexes: [0] },
        timestamp: Date.now(),
      },
    };
  }

  /** Runs `seed` once for the account's lifetime; later calls wait for the same run. */
  seedOnce(seed: () => Promise<void>): Promise<void> {
    this.seeding ??= seed();
    return this.seeding;
  }

  setSnapshot(name: string, snapshot: SnapshotRef): void {
    const collection = this.collection(name);
    collection.snapshot = snapshot;
    collection.version = Math.max(collection.version, snapshot.version);
  }

  /**
   * Stores a patch a companion uploaded on top of `baseVersion`. Returns the
   * new version, or null when the base is not the current version (another
   * device got there first: the real server then refuses it too).
   */
  applyPatch(name: string, baseVersion: number, patch: Buffer): number | null {
    const collection = this.collection(name);
    if (baseVersion !== collection.version) return null;
    const version = collection.version + 1;
    const decoded = proto.SyncdPatch.decode(patch);
    decoded.version = { version };
    collection.patches.set(version, Buffer.from(proto.SyncdPatch.encode(decoded).finish()));
    collection.version = version;
    return version;
  }

  /** The snapshot (when asked for and held) and every patch after what the device has. */
  answer(name: string, fromVersion: number, wantSnapshot: boolean): CollectionAnswer {
    const collection = this.collection(name);
    const snapshot = wantSnapshot ? collection.snapshot : null;
    const after = snapshot ? snapshot.version : fromVersion;
    const patches = [...collection.patches.entries()]
      .filter(([version]) => version > after)
      .sort(([a], [b]) => a - b)
      .map(([, bytes]) => bytes);
    return { version: collection.version, snapshot: snapshot?.reference ?? null, patches };
  }

  /** The protocol message that shares the sync key with a companion. */
  keyShareMessage(): proto.IMessage {
    return {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
        appStateSyncKeyShare: {
          keys: [{ keyId: { keyId: this.key.keyId }, keyData: this.key.keyData }],
        },
      },
    };
  }

  versions(): Record<string, number> {
    return Object.fromEntries(
      [...this.collections.entries()].map(([name, collection]) => [name, collection.version]),
    );
  }

  private collection(name: string): Collection {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = { version: 0, snapshot: null, patches: new Map() };
      this.collections.set(name, collection);
    }
    return collection;
  }
}
