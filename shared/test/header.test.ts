import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/codec.js';
import { ProtocolError } from '../src/errors.js';
import type { ErrorCode } from '../src/errors.js';
import { decodeHeader } from '../src/frame.js';
import { hex } from './hex.js';

const MAX = 262_144;

function codeOf(bytes: Uint8Array, max = MAX): ErrorCode | 'ok' {
  try {
    decodeMessage(bytes, max);
    return 'ok';
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
}

describe('the fixed 16-byte header', () => {
  it('reads each field at its offset, big-endian', () => {
    expect(decodeHeader(hex('01220100 0a0b0c0d 01020304 00000001 ff'), MAX)).toEqual({
      version: 1,
      type: 0x22,
      flags: 1,
      streamId: 0x0a0b0c0d,
      connectionId: 0x01020304,
      payloadLength: 1,
    });
  });

  it.each([
    ['an empty frame', '', 'bad_frame'],
    ['a truncated header', '01400000 00000000 000000', 'bad_frame'],
    ['version 2', '02130000 00000005 00000003 00000000', 'version_mismatch'],
    ['version 0', '00130000 00000005 00000003 00000000', 'version_mismatch'],
    ['an unknown type 0x7f', '017f0000 00000000 00000000 00000000', 'bad_frame'],
    ['the binary flag on a body', '01120100 00000005 00000003 00000000', 'bad_frame'],
    ['an undefined flag bit', '01220200 00000001 00000009 00000000', 'bad_frame'],
    ['a non-zero reserved byte', '01130001 00000005 00000003 00000000', 'bad_frame'],
    ['a length longer than the payload', '01130000 00000005 00000003 00000001', 'bad_frame'],
    ['a length shorter than the payload', '01120000 00000005 00000003 00000000 ff', 'bad_frame'],
    ['a stream frame on stream 0', '01130000 00000000 00000003 00000000', 'bad_frame'],
    ['a ping on a stream', '01400000 00000001 00000000 00000008 4278bcfe 56800800', 'bad_frame'],
    ['a ping with a short payload', '01400000 00000000 00000000 00000004 4278bcfe', 'bad_frame'],
    [
      'a ping with a NaN time',
      '01400000 00000000 00000000 00000008 7ff80000 00000000',
      'bad_frame',
    ],
    ['a credit of zero', '01300000 00000005 00000003 00000004 00000000', 'bad_frame'],
    ['an end with a payload', '01130000 00000005 00000003 00000001 00', 'bad_frame'],
    ['JSON that is not UTF-8', '01030000 00000000 00000000 00000002 c328', 'bad_frame'],
    ['a hello that is not JSON', '01010000 00000000 00000000 00000001 7b', 'bad_frame'],
  ])('refuses %s', (_name, wire, code) => {
    expect(codeOf(hex(wire))).toBe(code);
  });

  it('refuses a frame over the agreed maximum with frame_too_large', () => {
    const frame = new Uint8Array(1_040);
    frame.set(hex('01120000 00000005 00000003 00000400'));
    expect(codeOf(frame, 1_039)).toBe('frame_too_large');
    expect(codeOf(frame, 1_040)).toBe('ok');
  });

  it('names the offending field of a structured payload', () => {
    const body = new TextEncoder().encode('{"code":1000,"reason":7}');
    const frame = new Uint8Array(16 + body.length);
    frame.set(hex('01230000 00000001 00000009 00000018'));
    frame.set(body, 16);
    expect(() => decodeMessage(frame, MAX)).toThrow('WsClose field reason');
  });

  it('refuses a header value with a line break, so no hop can be made to inject headers', () => {
    const json =
      '{"method":"GET","url":"https://mmg.whatsapp.net/x","headers":[["x","a\\r\\nb: c"]],' +
      '"deadlineMs":1,"replaySafe":true,"bodyLength":null,"leg":"download"}';
    const body = new TextEncoder().encode(json);
    const frame = new Uint8Array(16 + body.length);
    frame.set(hex('01100000 00000001 00000001'));
    new DataView(frame.buffer).setUint32(12, body.length);
    frame.set(body, 16);
    expect(codeOf(frame)).toBe('bad_frame');
  });
});
