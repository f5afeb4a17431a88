import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../src/codec.js';
import type { Message } from '../src/codec.js';
import { ERROR_CODES, ProtocolError } from '../src/errors.js';

const MAX = 4_096;

function decodeOrCode(bytes: Uint8Array): Message | ProtocolError {
  try {
    return decodeMessage(bytes, MAX);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw new Error(`decode threw a non-protocol error: ${String(error)}`);
  }
}

const id = fc.integer({ min: 1, max: 0xffff_ffff });
const connectionId = fc.integer({ min: 0, max: 0xffff_ffff });
const bytes = fc.uint8Array({ maxLength: 512 });
const time = fc.double({ min: 0, max: 4e12, noNaN: true });

const arbitraryMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ kind: fc.constant('body' as const), streamId: id, connectionId, data: bytes }),
  fc.record({ kind: fc.constant('end' as const), streamId: id, connectionId }),
  fc.record({
    kind: fc.constant('ws-message' as const),
    streamId: id,
    connectionId,
    binary: fc.boolean(),
    data: bytes,
  }),
  fc.record({
    kind: fc.constant('credit' as const),
    streamId: id,
    connectionId,
    bytes: fc.integer({ min: 1, max: 0xffff_ffff }),
  }),
  fc.record({ kind: fc.constant('ping' as const), sentAt: time }),
  fc.record({ kind: fc.constant('pong' as const), sentAt: time, repliedAt: time }),
  fc.record({
    kind: fc.constant('reset' as const),
    streamId: id,
    connectionId,
    body: fc.record({
      code: fc.constantFrom(...ERROR_CODES),
      message: fc.string({ maxLength: 200 }),
    }),
  }),
  fc.record({
    kind: fc.constant('ws-close' as const),
    streamId: id,
    connectionId,
    body: fc.record({
      code: fc.integer({ min: 1000, max: 4999 }),
      reason: fc.string({ maxLength: 123 }),
    }),
  }),
  fc.record({
    kind: fc.constant('request-head' as const),
    streamId: id,
    connectionId,
    body: fc.record({
      method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
      url: fc.webUrl(),
      headers: fc.array(
        fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.stringMatching(/^[ -~]{0,40}$/)),
        { maxLength: 8 },
      ),
      deadlineMs: fc.integer({ min: 1, max: 3_600_000 }),
      replaySafe: fc.boolean(),
      bodyLength: fc.option(fc.nat({ max: 1e9 }), { nil: null }),
      leg: fc.constantFrom('websocket' as const, 'download' as const, 'upload' as const),
    }),
  }),
);

describe('codec under random and hostile input', () => {
  it('round-trips 4,000 random well-formed messages', () => {
    fc.assert(
      fc.property(arbitraryMessage, (message) => {
        const wire = encodeMessage(message, MAX);
        expect(decodeMessage(wire, MAX)).toEqual(message);
      }),
      { numRuns: 4_000 },
    );
  });

  it('decodes or refuses 5,000 mutated frames with a coded error, never a crash', () => {
    fc.assert(
      fc.property(
        arbitraryMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        (message, flips, cut) => {
          const wire = encodeMessage(message, MAX).slice();
          for (const [at, value] of flips) wire[at % wire.length] = value;
          const mutated = cut === undefined ? wire : wire.subarray(0, cut % (wire.length + 1));
          const result = decodeOrCode(mutated);
          if (result instanceof ProtocolError) {
            expect(ERROR_CODES).toContain(result.code);
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuses 5,000 frames of random bytes with a coded error, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (random, plausible) => {
        const frame = random.slice();
        // Half of the inputs get a plausible header so the payload parsers are reached too.
        if (plausible && frame.length >= 16) {
          frame[0] = 1;
          frame[3] = 0;
          new DataView(frame.buffer).setUint32(12, frame.length - 16);
        }
        const result = decodeOrCode(frame);
        if (result instanceof ProtocolError) expect(ERROR_CODES).toContain(result.code);
      }),
      { numRuns: 5_000 },
    );
  });
});
