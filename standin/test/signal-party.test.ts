import { describe, expect, it } from 'vitest';
import { SignalParty } from '../src/signal/party.js';

describe('a simulated Signal device', () => {
  it(
    'opens a session from a bundle: pkmsg ' + 'until the peer answers, then msg both ways',
    async () => {
      const alice = new SignalParty();
      const bob = new SignalParty();
      const first = await alice.encrypt('bob.0', () => bob.bundle(), Buffer.from('one'));
      const second = await alice.encrypt('bob.0', () => null, Buffer.from('two'));
      expect([first.type, second.type]).toEqual(['pkmsg', 'pkmsg']);
      expect((await bob.decrypt('alice.0', 'pkmsg', first.body)).toString()).toBe('one');
      expect((await bob.decrypt('alice.0', 'pkmsg', second.body)).toString()).toBe('two');
      const reply = await bob.encrypt('alice.0', () => null, Buffer.from('three'));
      expect(reply.type).toBe('msg');
      expect((await alice.decrypt('bob.0', 'msg', reply.body)).toString()).toBe('three');
      const after = await alice.encrypt('bob.0', () => null, Buffer.from('four'));
      expect(after.type).toBe('msg');
    },
  );

  it('hands out each one-time pre-key once, in ascending order', () => {
    const bob = new SignalParty();
    const ids = Array.from({ length: 25 }, () => bob.bundle().preKey?.id);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
  });

  it('signs its signed pre-key with its identity key and keeps 32-byte keys on the wire', () => {
    const bundle = new SignalParty().bundle();
    expect([
      bundle.identityKey.length,
      bundle.signedPreKey.publicKey.length,
      bundle.signedPreKey.signature.length,
      bundle.preKey?.publicKey.length,
    ]).toEqual([32, 32, 64, 32]);
  });

  it("fails with libsignal's reason when it has lost the session", async () => {
    const alice = new SignalParty();
    const bob = new SignalParty();
    await bob.decrypt(
      'alice.0',
      'pkmsg',
      (await alice.encrypt('bob.0', () => bob.bundle(), Buffer.from('a'))).body,
    );
    const reply = await bob.encrypt('alice.0', () => null, Buffer.from('b'));
    alice.forgetSessions();
    await expect(alice.decrypt('bob.0', reply.type, reply.body)).rejects.toThrow(/session/i);
  });

  it('asks for a bundle only when it has no session, and says when there is none', async () => {
    const alice = new SignalParty();
    await expect(alice.encrypt('nobody.0', () => null, Buffer.from('x'))).rejects.toThrow(
      'no key bundle for nobody.0',
    );
  });
});
