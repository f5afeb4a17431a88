import { createHash, randomBytes } from 'node:crypto';
import { downloadContentFromMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { decryptMedia, encryptMedia } from '../src/media/crypto.js';

describe('media encryption as a sending device does it', () => {
  it('round-trips a file and carries the hashes a receiver checks', async () => {
    const plain = randomBytes(100_000);
    const encrypted = await encryptMedia(plain, 'image');
    expect(encrypted.fileLength).toBe(100_000);
    expect(encrypted.fileSha256.toString('hex')).toBe(
      createHash('sha256').update(plain).digest('hex'),
    );
    expect(encrypted.file.length % 16).toBe(10);
    expect((await decryptMedia(encrypted.file, 'image', encrypted)).equals(plain)).toBe(true);
  });

  it('refuses a file whose MAC does not verify', async () => {
    const encrypted = await encryptMedia(randomBytes(1000), 'document');
    const tampered = Buffer.from(encrypted.file);
    tampered[5] = (tampered[5] as number) ^ 1;
    await expect(
      decryptMedia(tampered, 'document', { mediaKey: encrypted.mediaKey }),
    ).rejects.toThrow('media MAC does not verify with the message mediaKey');
  });

  it('refuses a file that is not the one the message announced', async () => {
    const encrypted = await encryptMedia(randomBytes(1000), 'image');
    const other = await encryptMedia(randomBytes(1000), 'image');
    await expect(
      decryptMedia(other.file, 'image', { ...encrypted, mediaKey: other.mediaKey }),
    ).rejects.toThrow('encrypted file SHA-256 differs from the message fileEncSha256');
  });

  it("derives the same keys as Baileys' own download path for history blobs", async () => {
    const plain = randomBytes(4096);
    const encrypted = await encryptMedia(plain, 'md-msg-hist');
    const served = `data:application/octet-stream;base64,${encrypted.file.toString('base64')}`;
    const stream = await downloadContentFromMessage(
      { mediaKey: encrypted.mediaKey, url: served, directPath: null },
      'md-msg-hist',
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(plain)).toBe(true);
  });
});
