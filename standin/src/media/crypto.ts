import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { getMediaKeys, type MediaType } from '@whiskeysockets/baileys';

/** A media file as a sending device encrypts it, with the fields its message carries. */
export interface EncryptedMedia {
  /** The file the media host stores: AES-256-CBC ciphertext ‖ the first 10 bytes of its HMAC. */
  readonly file: Buffer;
  readonly mediaKey: Buffer;
  /** SHA-256 of the plain file. */
  readonly fileSha256: Buffer;
  /** SHA-256 of the encrypted file (the upload token). */
  readonly fileEncSha256: Buffer;
  readonly fileLength: number;
}

const MAC_BYTES = 10;

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/**
 * WhatsApp's media encryption: keys expanded from a random media key with
 * HKDF and the media type's label (Baileys' `getMediaKeys`), then
 * AES-256-CBC and a truncated HMAC-SHA256 over the IV and ciphertext.
 */
export async function encryptMedia(plain: Buffer, type: MediaType): Promise<EncryptedMedia> {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, type);
  if (!macKey) throw new Error(`no MAC key derived for ${type}`);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(encrypted).digest();
  const file = Buffer.concat([encrypted, mac.subarray(0, MAC_BYTES)]);
  return {
    file,
    mediaKey,
    fileSha256: sha256(plain),
    fileEncSha256: sha256(file),
    fileLength: plain.length,
  };
}

export interface MediaExpectations {
  readonly mediaKey: Uint8Array;
  readonly fileSha256?: Uint8Array | null;
  readonly fileEncSha256?: Uint8Array | null;
}

/**
 * Decrypts a downloaded media file as a receiving device does, checking what
 * Baileys itself does not: the MAC, and both hashes the message announced.
 * Throws with the check that failed.
 */
export async function decryptMedia(
  file: Buffer,
  type: MediaType,
  expected: MediaExpectations,
): Promise<Buffer> {
  if (file.length <= MAC_BYTES) throw new Error(`media file of ${file.length} bytes is too short`);
  if (expected.fileEncSha256 && !sha256(file).equals(Buffer.from(expected.fileEncSha256))) {
    throw new Error('encrypted file SHA-256 differs from the message fileEncSha256');
  }
  const { iv, cipherKey, macKey } = await getMediaKeys(expected.mediaKey, type);
  if (!macKey) throw new Error(`no MAC key derived for ${type}`);
  const encrypted = file.subarray(0, file.length - MAC_BYTES);
  const mac = createHmac('sha256', macKey).update(iv).update(encrypted).digest();
  if (!mac.subarray(0, MAC_BYTES).equals(file.subarray(file.length - MAC_BYTES))) {
    throw new Error('media MAC does not verify with the message mediaKey');
  }
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  if (expected.fileSha256 && !sha256(plain).equals(Buffer.from(expected.fileSha256))) {
    throw new Error('decrypted file SHA-256 differs from the message fileSha256');
  }
  return plain;
}
