import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { NOISE_MODE, NOISE_WA_HEADER, proto } from '@whiskeysockets/baileys';
import { generateCurveKeyPair, sharedSecret, type CurveKeyPair } from './keys.js';
import type { NoiseIdentity } from './cert-chain.js';

const TAG_BYTES = 16;

function gcmIv(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

function gcmSeal(key: Buffer, iv: Buffer, aad: Buffer, plain: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, iv: Buffer, aad: Buffer, sealed: Uint8Array): Buffer {
  const data = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(data.subarray(0, data.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

function hkdf64(ikm: Uint8Array, salt: Buffer): [Buffer, Buffer] {
  const okm = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64));
  return [okm.subarray(0, 32), okm.subarray(32)];
}

/** The keys of an established Noise session, one counter per direction. */
export class NoiseTransport {
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly readKey: Buffer,
    private readonly writeKey: Buffer,
  ) {}

  encrypt(plain: Uint8Array): Buffer {
    return gcmSeal(this.writeKey, gcmIv(this.writeCounter++), Buffer.alloc(0), plain);
  }

  decrypt(sealed: Uint8Array): Buffer {
    return gcmOpen(this.readKey, gcmIv(this.readCounter++), Buffer.alloc(0), sealed);
  }
}

export interface ClientFinishResult {
  /** The client's static key: Baileys' `creds.noiseKey.public`. */
  readonly clientStatic: Buffer;
  /** The decrypted `ClientPayload` bytes. */
  readonly payload: Buffer;
  readonly transport: NoiseTransport;
}

/**
 * The responder side of WhatsApp's Noise XX handshake
 * (`Noise_XX_25519_AESGCM_SHA256`), mirroring Baileys' initiator in
 * `lib/Utils/noise-handler.js`: one counter shared by encrypt and decrypt
 * during the handshake, the handshake hash as AAD, and HKDF-SHA256 chaining.
 */
export class NoiseResponder {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral: CurveKeyPair = generateCurveKeyPair();
  private clientEphemeral: Buffer | undefined;

  constructor(private readonly identity: NoiseIdentity) {
    // The protocol name is exactly 32 bytes, so it is the initial hash as-is.
    const name = Buffer.from(NOISE_MODE);
    this.hash = name.length === 32 ? name : createHash('sha256').update(name).digest();
    this.salt = this.hash;
    this.key = this.hash;
    this.mixHash(NOISE_WA_HEADER);
  }

  private mixHash(data: Uint8Array): void {
    this.hash = createHash('sha256').update(this.hash).update(data).digest();
  }

  private mixKey(ikm: Uint8Array): void {
    const [salt, key] = hkdf64(ikm, this.salt);
    this.salt = salt;
    this.key = key;
    this.counter = 0;
  }

  private encrypt(plain: Uint8Array): Buffer {
    const sealed = gcmSeal(this.key, gcmIv(this.counter++), this.hash, plain);
    this.mixHash(sealed);
    return sealed;
  }

  private decrypt(sealed: Uint8Array): Buffer {
    const plain = gcmOpen(this.key, gcmIv(this.counter++), this.hash, sealed);
    this.mixHash(sealed);
    return plain;
  }

  /** Reads the ClientHello's ephemeral key and returns the encoded ServerHello message. */
  respondToHello(clientEphemeral: Uint8Array): Buffer {
    this.clientEphemeral = Buffer.from(clientEphemeral);
    this.mixHash(clientEphemeral);
    this.mixHash(this.ephemeral.public);
    this.mixKey(sharedSecret(this.ephemeral.private, clientEphemeral));
    const sealedStatic = this.encrypt(this.identity.serverStatic.public);
    this.mixKey(sharedSecret(this.identity.serverStatic.private, clientEphemeral));
    const sealedPayload = this.encrypt(this.identity.certChain);
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: {
          ephemeral: this.ephemeral.public,
          static: sealedStatic,
          payload: sealedPayload,
        },
      }).finish(),
    );
  }

  /** Reads the ClientFinish; throws if any tag does not verify. */
  readFinish(sealedStatic: Uint8Array, sealedPayload: Uint8Array): ClientFinishResult {
    if (!this.clientEphemeral) throw new Error('ClientFinish before ClientHello');
    const clientStatic = this.decrypt(sealedStatic);
    this.mixKey(sharedSecret(this.ephemeral.private, clientStatic));
    const payload = this.decrypt(sealedPayload);
    // Split: the first half keys client-to-server traffic, the second server-to-client.
    const [clientToServer, serverToClient] = hkdf64(new Uint8Array(0), this.salt);
    return {
      clientStatic,
      payload,
      transport: new NoiseTransport(clientToServer, serverToClient),
    };
  }
}
