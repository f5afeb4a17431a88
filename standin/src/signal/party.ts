import { randomInt } from 'node:crypto';
import * as libsignal from 'libsignal';
import { calculateSignature, generateKeyPair } from 'libsignal/src/curve.js';
import type { CurveKeyPair } from '../noise/keys.js';

/** A libsignal key pair: 33-byte public key (type byte 05), 32-byte private key. */
export interface SignalKeyPair {
  readonly pubKey: Buffer;
  readonly privKey: Buffer;
}

/**
 * What a peer publishes so others can open a session with it: the shape of
 * the server's key-fetch answer. Public keys here are 32 bytes, as on the wire.
 */
export interface PreKeyBundle {
  readonly registrationId: number;
  readonly identityKey: Buffer;
  readonly signedPreKey: {
    readonly id: number;
    readonly publicKey: Buffer;
    readonly signature: Buffer;
  };
  readonly preKey: { readonly id: number; readonly publicKey: Buffer } | null;
}

export type EncType = 'pkmsg' | 'msg';

export interface Ciphertext {
  readonly type: EncType;
  readonly body: Buffer;
}

/** One-time pre-keys a simulated device keeps ready; more are made when they run out. */
const PRE_KEY_BATCH = 20;

function keyPair(): SignalKeyPair {
  const pair = generateKeyPair();
  return { pubKey: Buffer.from(pair.pubKey), privKey: Buffer.from(pair.privKey) };
}

function withType(key: Buffer): Buffer {
  return key.length === 33 ? key : Buffer.concat([Buffer.from([5]), key]);
}

function withoutType(key: Buffer): Buffer {
  return key.length === 33 ? key.subarray(1) : key;
}

/** `name.device`, the way libsignal names a session's peer. */
function protocolAddress(peer: string): libsignal.ProtocolAddress {
  const dot = peer.lastIndexOf('.');
  return new libsignal.ProtocolAddress(peer.slice(0, dot), Number(peer.slice(dot + 1)));
}

/**
 * A Signal device the stand-in plays itself: a contact's phone, or an
 * account's own phone. It has its own identity, registration id, signed
 * pre-key and one-time pre-keys, and keeps its sessions in memory. The
 * session work is stock libsignal, the library Baileys uses.
 */
export class SignalParty {
  readonly identity: SignalKeyPair;
  readonly registrationId: number;
  private readonly signedPreKey: { id: number; pair: SignalKeyPair; signature: Buffer };
  /** One-time pre-keys with their private halves, until a pkmsg uses them. */
  private readonly preKeys = new Map<number, SignalKeyPair>();
  /** Ids not handed out yet, ascending. */
  private readonly unpublished: number[] = [];
  private nextPreKeyId = 1;
  private readonly sessions = new Map<string, libsignal.SessionRecord>();
  private readonly storage: libsignal.SignalStorage;

  constructor(identity?: CurveKeyPair) {
    this.identity = identity
      ? { pubKey: withType(identity.public), privKey: Buffer.from(identity.private) }
      : keyPair();
    // libsignal's generator keeps 14 bits; WhatsApp clients use the same range.
    this.registrationId = randomInt(1, 0x3fff);
    const pair = keyPair();
    this.signedPreKey = {
      id: 1,
      pair,
      signature: Buffer.from(calculateSignature(this.identity.privKey, pair.pubKey)),
    };
    this.storage = {
      getOurIdentity: () => this.identity,
      getOurRegistrationId: () => this.registrationId,
      // Trust on first use, as WhatsApp clients (and Baileys) do.
      isTrustedIdentity: () => true,
      loadSession: (id) => Promise.resolve(this.sessions.get(id)),
      storeSession: (id, record) => {
        this.sessions.set(id, record);
        return Promise.resolve();
      },
      loadPreKey: (id) => Promise.resolve(this.preKeys.get(Number(id))),
      removePreKey: (id) => {
        this.preKeys.delete(Number(id));
      },
      loadSignedPreKey: () => this.signedPreKey.pair,
    };
  }

  /** The 32-byte identity key as the wire carries it. */
  get identityKey(): Buffer {
    return withoutType(this.identity.pubKey);
  }

  /** The key bundle the server hands out for this device, with the next one-time pre-key. */
  bundle(): PreKeyBundle {
    if (this.unpublished.length === 0) this.makePreKeys();
    const id = this.unpublished.shift() as number;
    const preKey = this.preKeys.get(id) as SignalKeyPair;
    return {
      registrationId: this.registrationId,
      identityKey: this.identityKey,
      signedPreKey: {
        id: this.signedPreKey.id,
        publicKey: withoutType(this.signedPreKey.pair.pubKey),
        signature: this.signedPreKey.signature,
      },
      preKey: { id, publicKey: withoutType(preKey.pubKey) },
    };
  }

  hasSession(peer: string): boolean {
    return this.sessions.get(peer)?.haveOpenSession() ?? false;
  }

  /** Forgets every session, as a reinstalled app that kept its keys would. */
  forgetSessions(): void {
    this.sessions.clear();
  }

  /**
   * Encrypts for a peer device. Without an open session it first asks for
   * the peer's bundle (the server's key fetch), as a sending device does.
   */
  async encrypt(
    peer: string,
    fetchBundle: () => PreKeyBundle | null,
    plaintext: Buffer,
  ): Promise<Ciphertext> {
    const address = protocolAddress(peer);
    if (!this.hasSession(peer)) {
      const bundle = fetchBundle();
      if (!bundle) throw new Error(`no key bundle for ${peer}`);
      await new libsignal.SessionBuilder(this.storage, address).initOutgoing({
        registrationId: bundle.registrationId,
        identityKey: withType(bundle.identityKey),
        signedPreKey: {
          keyId: bundle.signedPreKey.id,
          publicKey: withType(bundle.signedPreKey.publicKey),
          signature: bundle.signedPreKey.signature,
        },
        // libsignal accepts a session without a one-time pre-key; its typings do not say so.
        preKey: (bundle.preKey
          ? { keyId: bundle.preKey.id, publicKey: withType(bundle.preKey.publicKey) }
          : undefined) as unknown as { keyId: number; publicKey: Uint8Array },
      });
    }
    const result = await new libsignal.SessionCipher(this.storage, address).encrypt(plaintext);
    return { type: result.type === 3 ? 'pkmsg' : 'msg', body: Buffer.from(result.body, 'binary') };
  }

  /** Decrypts a `pkmsg` or `msg` from a peer device; throws libsignal's error when it cannot. */
  async decrypt(peer: string, type: EncType, body: Buffer): Promise<Buffer> {
    const cipher = new libsignal.SessionCipher(this.storage, protocolAddress(peer));
    const plain =
      type === 'pkmsg'
        ? await cipher.decryptPreKeyWhisperMessage(body)
        : await cipher.decryptWhisperMessage(body);
    return Buffer.from(plain);
  }

  private makePreKeys(): void {
    for (let count = 0; count < PRE_KEY_BATCH; count += 1) {
      const id = this.nextPreKeyId++;
      this.preKeys.set(id, keyPair());
      this.unpublished.push(id);
    }
  }
}
