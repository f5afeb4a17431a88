import {
  Curve,
  encodeBinaryNode,
  makeNoiseHandler,
  NOISE_WA_HEADER,
  proto,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { createNoiseIdentity } from '../src/noise/cert-chain.js';
import { FrameError, FrameReader, encodeFrame } from '../src/noise/frames.js';
import { NoiseResponder } from '../src/noise/handshake.js';
import { decodeNode } from '../src/wire/nodes.js';
import { capturingLogger } from './support/logger.js';

/** Drives Baileys' own initiator (`makeNoiseHandler`) against the stand-in's responder. */
async function handshake(routingInfo?: Buffer) {
  const identity = createNoiseIdentity();
  const responder = new NoiseResponder(identity);
  const ephemeral = Curve.generateKeyPair();
  const noiseKey = Curve.generateKeyPair();
  const client = makeNoiseHandler({
    keyPair: ephemeral,
    NOISE_HEADER: NOISE_WA_HEADER,
    logger: capturingLogger(),
    ...(routingInfo ? { routingInfo } : {}),
  });
  const reader = new FrameReader();
  const hello = client.encodeFrame(
    proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish(),
  );
  const [helloFrame] = reader.push(hello);
  const clientHello = proto.HandshakeMessage.decode(helloFrame as Buffer).clientHello;
  const serverHello = responder.respondToHello(clientHello?.ephemeral as Uint8Array);
  const received: Uint8Array[] = [];
  await client.decodeFrame(encodeFrame(serverHello), (frame) => received.push(frame as Uint8Array));
  const keyEnc = client.processHandshake(
    proto.HandshakeMessage.decode(received[0] as Uint8Array),
    noiseKey,
  );
  const payload = Buffer.from('client payload bytes');
  const finish = client.encodeFrame(
    proto.HandshakeMessage.encode({
      clientFinish: { static: keyEnc, payload: client.encrypt(payload) },
    }).finish(),
  );
  const [finishFrame] = reader.push(finish);
  const clientFinish = proto.HandshakeMessage.decode(finishFrame as Buffer).clientFinish;
  const result = responder.readFinish(
    clientFinish?.static as Uint8Array,
    clientFinish?.payload as Uint8Array,
  );
  await client.finishInit();
  return { client, reader, result, noiseKey, payload, identity };
}

describe('the Noise XX responder', () => {
  it(
    "completes a handshake with Baileys' own " + 'initiator and reads its static key and payload',
    async () => {
      const { result, noiseKey, payload } = await handshake();
      expect(result.clientStatic.equals(Buffer.from(noiseKey.public))).toBe(true);
      expect(result.payload.toString()).toBe(payload.toString());
    },
  );

  it('carries binary nodes both ways once the handshake is done', async () => {
    const { client, reader, result } = await handshake();
    const toClient: BinaryNode = { tag: 'success', attrs: { t: '1700000000', lid: '1:2@lid' } };
    const decoded: BinaryNode[] = [];
    await client.decodeFrame(
      encodeFrame(result.transport.encrypt(encodeBinaryNode(toClient))),
      (frame) => decoded.push(frame as BinaryNode),
    );
    expect(decoded).toEqual([toClient]);

    const toServer: BinaryNode = { tag: 'iq', attrs: { id: 'a1', type: 'get', xmlns: 'w:p' } };
    const [frame] = reader.push(client.encodeFrame(encodeBinaryNode(toServer)));
    expect(await decodeNode(result.transport.decrypt(frame as Buffer))).toEqual(toServer);
  });

  it("reads routing info from an 'ED' intro, as Baileys sends after ib/edge_routing", async () => {
    const routingInfo = Buffer.from('0811180c', 'hex');
    const { reader } = await handshake(routingInfo);
    expect(reader.introInfo?.routingInfo?.toString('hex')).toBe('0811180c');
  });

  it(
    'reassembles frames split across WebSocket ' + 'messages and splits frames sharing one',
    async () => {
      const reader = new FrameReader();
      const bytes = Buffer.concat([
        NOISE_WA_HEADER,
        encodeFrame(Buffer.from('first')),
        encodeFrame(Buffer.from('second')),
      ]);
      const frames = [
        ...reader.push(bytes.subarray(0, 2)),
        ...reader.push(bytes.subarray(2, 9)),
        ...reader.push(bytes.subarray(9)),
      ];
      expect(frames.map((frame) => frame.toString())).toEqual(['first', 'second']);
    },
  );

  it('refuses a stream that does not open with the WA intro', () => {
    expect(() => new FrameReader().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(FrameError);
  });

  it('makes the handshake fail when the client tampers with its encrypted static key', async () => {
    const identity = createNoiseIdentity();
    const responder = new NoiseResponder(identity);
    const ephemeral = Curve.generateKeyPair();
    const client = makeNoiseHandler({
      keyPair: ephemeral,
      NOISE_HEADER: NOISE_WA_HEADER,
      logger: capturingLogger(),
    });
    const serverHello = proto.HandshakeMessage.decode(responder.respondToHello(ephemeral.public));
    const keyEnc = Buffer.from(client.processHandshake(serverHello, Curve.generateKeyPair()));
    keyEnc[0] = (keyEnc[0] ?? 0) ^ 1;
    expect(() => responder.readFinish(keyEnc, Buffer.alloc(32))).toThrow();
  });
});
