import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../src/codec.js';
import type { Message } from '../src/codec.js';
import { concat, hex, utf8 } from './hex.js';

const MAX = 262_144;
const LIMITS = { maxFrameSize: 262144, streamWindow: 1048576, maxStreams: 128 };

interface Fixture {
  name: string;
  message: Message;
  /** The exact bytes on the wire: header, then payload. */
  wire: Uint8Array;
}

// Every frame type of protocol v1, with its bytes written out by hand:
// version 01, type, flags, reserved 00 | stream id | connection id | length.
const FIXTURES: Fixture[] = [
  {
    name: 'hello',
    message: {
      kind: 'hello',
      body: {
        protocol: 1,
        role: 'peer',
        software: 'web/0.1',
        capabilities: ['ws'],
        limits: LIMITS,
      },
    },
    wire: concat(
      hex('01010000 00000000 00000000 00000090'),
      utf8(
        '{"protocol":1,"role":"peer","software":"web/0.1","capabilities":["ws"],' +
          '"limits":{"maxFrameSize":262144,"streamWindow":1048576,"maxStreams":128}}',
      ),
    ),
  },
  {
    name: 'welcome',
    message: {
      kind: 'welcome',
      body: {
        protocol: 1,
        role: 'worker',
        tenant: 'taqueria',
        connectionName: 'w1',
        limits: LIMITS,
        serverTime: 1700000000000,
      },
    },
    wire: concat(
      hex('01020000 00000000 00000000 000000ac'),
      utf8(
        '{"protocol":1,"role":"worker","tenant":"taqueria","connectionName":"w1",' +
          '"limits":{"maxFrameSize":262144,"streamWindow":1048576,"maxStreams":128},' +
          '"serverTime":1700000000000}',
      ),
    ),
  },
  {
    name: 'error',
    message: { kind: 'error', body: { code: 'auth_expired', message: 'token expired' } },
    wire: concat(
      hex('01030000 00000000 00000000 00000031'),
      utf8('{"code":"auth_expired","message":"token expired"}'),
    ),
  },
  {
    name: 'request head keeps header order and repeats',
    message: {
      kind: 'request-head',
      streamId: 7,
      connectionId: 2,
      body: {
        method: 'GET',
        url: 'https://mmg.whatsapp.net/d/f/A',
        headers: [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ],
        deadlineMs: 30000,
        replaySafe: true,
        bodyLength: null,
        leg: 'download',
      },
    },
    wire: concat(
      hex('01100000 00000007 00000002 000000b5'),
      utf8(
        '{"method":"GET","url":"https://mmg.whatsapp.net/d/f/A",' +
          '"headers":[["set-cookie","a=1"],["set-cookie","b=2"]],"deadlineMs":30000,' +
          '"replaySafe":true,"bodyLength":null,"leg":"download"}',
      ),
    ),
  },
  {
    name: 'response head',
    message: {
      kind: 'response-head',
      streamId: 7,
      connectionId: 2,
      body: {
        status: 200,
        statusText: 'OK',
        headers: [['content-length', '3']],
        url: 'https://mmg.whatsapp.net/d/f/A',
        redirected: false,
        opaque: false,
        droppedRequestHeaders: [],
        partialHeaders: true,
      },
    },
    wire: concat(
      hex('01110000 00000007 00000002 000000bd'),
      utf8(
        '{"status":200,"statusText":"OK","headers":[["content-length","3"]],' +
          '"url":"https://mmg.whatsapp.net/d/f/A","redirected":false,"opaque":false,' +
          '"droppedRequestHeaders":[],"partialHeaders":true}',
      ),
    ),
  },
  {
    name: 'body chunk',
    message: { kind: 'body', streamId: 5, connectionId: 3, data: hex('00ff10e2') },
    wire: hex('01120000 00000005 00000003 00000004 00ff10e2'),
  },
  {
    name: 'end of body',
    message: { kind: 'end', streamId: 5, connectionId: 3 },
    wire: hex('01130000 00000005 00000003 00000000'),
  },
  {
    name: 'websocket open',
    message: {
      kind: 'ws-open',
      streamId: 1,
      connectionId: 9,
      body: {
        url: 'wss://web.whatsapp.com/ws/chat',
        protocols: [],
        headers: [['origin', 'https://web.whatsapp.com']],
        deadlineMs: 20000,
      },
    },
    wire: concat(
      hex('01200000 00000001 00000009 0000007c'),
      utf8(
        '{"url":"wss://web.whatsapp.com/ws/chat","protocols":[],' +
          '"headers":[["origin","https://web.whatsapp.com"]],"deadlineMs":20000}',
      ),
    ),
  },
  {
    name: 'websocket opened',
    message: {
      kind: 'ws-opened',
      streamId: 1,
      connectionId: 9,
      body: { protocol: '', extensions: '', droppedRequestHeaders: ['origin'] },
    },
    wire: concat(
      hex('01210000 00000001 00000009 00000042'),
      utf8('{"protocol":"","extensions":"","droppedRequestHeaders":["origin"]}'),
    ),
  },
  {
    name: 'binary websocket message sets the binary flag',
    message: {
      kind: 'ws-message',
      streamId: 1,
      connectionId: 9,
      binary: true,
      data: hex('010203'),
    },
    wire: hex('01220100 00000001 00000009 00000003 010203'),
  },
  {
    name: 'text websocket message clears the binary flag',
    message: { kind: 'ws-message', streamId: 1, connectionId: 9, binary: false, data: utf8('hi') },
    wire: hex('01220000 00000001 00000009 00000002 6869'),
  },
  {
    name: 'websocket close',
    message: {
      kind: 'ws-close',
      streamId: 1,
      connectionId: 9,
      body: { code: 1000, reason: 'bye' },
    },
    wire: concat(hex('01230000 00000001 00000009 0000001c'), utf8('{"code":1000,"reason":"bye"}')),
  },
  {
    name: 'credit of 64 KiB',
    message: { kind: 'credit', streamId: 5, connectionId: 3, bytes: 65536 },
    wire: hex('01300000 00000005 00000003 00000004 00010000'),
  },
  {
    name: 'reset',
    message: {
      kind: 'reset',
      streamId: 7,
      connectionId: 2,
      body: { code: 'peer_gone', message: 'peer left' },
    },
    wire: concat(
      hex('01310000 00000007 00000002 0000002a'),
      utf8('{"code":"peer_gone","message":"peer left"}'),
    ),
  },
  {
    name: 'reset of a stream whose client went away',
    message: {
      kind: 'reset',
      streamId: 8,
      connectionId: 2,
      body: { code: 'cancelled', message: 'client went away' },
    },
    wire: concat(
      hex('01310000 00000008 00000002 00000031'),
      utf8('{"code":"cancelled","message":"client went away"}'),
    ),
  },
  {
    name: 'ping carries a float64 timestamp',
    message: { kind: 'ping', sentAt: 1700000000000.5 },
    wire: hex('01400000 00000000 00000000 00000008 4278bcfe 56800800'),
  },
  {
    name: 'pong echoes the ping time and adds its own',
    message: { kind: 'pong', sentAt: 1700000000000.5, repliedAt: 1700000000012.25 },
    wire: hex('01410000 00000000 00000000 00000010 4278bcfe 56800800 4278bcfe 5680c400'),
  },
  {
    name: 'presence',
    message: { kind: 'presence', body: { primary: null, peers: [] } },
    wire: concat(hex('01500000 00000000 00000000 0000001b'), utf8('{"primary":null,"peers":[]}')),
  },
  {
    name: 'peer state paused by staff',
    message: {
      kind: 'peer-state',
      body: {
        state: 'paused',
        legs: {
          websocket: { status: 'ok' },
          download: { status: 'ok' },
          upload: { status: 'unavailable', reason: 'cors' },
        },
      },
    },
    wire: concat(
      hex('01510000 00000000 00000000 00000084'),
      utf8(
        '{"state":"paused","legs":{"websocket":{"status":"ok"},"download":{"status":"ok"},' +
          '"upload":{"status":"unavailable","reason":"cors"}}}',
      ),
    ),
  },
  {
    name: 'tenant status',
    message: {
      kind: 'tenant-status',
      body: {
        session: 'connected',
        policy: 'prefer-tunnel',
        routes: { websocket: 'tunnel', download: 'tunnel', upload: 'direct' },
        protected: false,
        leaks: 0,
        reason: null,
        updatedAt: 1700000000000,
      },
    },
    wire: concat(
      hex('01520000 00000000 00000000 000000ba'),
      utf8(
        '{"session":"connected","policy":"prefer-tunnel",' +
          '"routes":{"websocket":"tunnel","download":"tunnel","upload":"direct"},' +
          '"protected":false,"leaks":0,"reason":null,"updatedAt":1700000000000}',
      ),
    ),
  },
  {
    name: 'tenant status with its primary peer',
    message: {
      kind: 'tenant-status',
      body: {
        session: 'connected',
        policy: 'tunnel-only',
        routes: { websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' },
        protected: true,
        leaks: 0,
        reason: null,
        updatedAt: 1700000000000,
        peer: { peerId: 'p7', state: 'active', health: 'degraded', rttMs: 1830.5, slow: true },
      },
    },
    wire: concat(
      hex('01520000 00000000 00000000 0000010e'),
      utf8(
        '{"session":"connected","policy":"tunnel-only",' +
          '"routes":{"websocket":"tunnel","download":"tunnel","upload":"tunnel"},' +
          '"protected":true,"leaks":0,"reason":null,"updatedAt":1700000000000,' +
          '"peer":{"peerId":"p7","state":"active","health":"degraded","rttMs":1830.5,"slow":true}}',
      ),
    ),
  },
  {
    name: 'tenant status with no peer',
    message: {
      kind: 'tenant-status',
      body: {
        session: 'connected',
        policy: 'prefer-tunnel',
        routes: { websocket: 'direct', download: 'direct', upload: 'direct' },
        protected: false,
        leaks: 0,
        reason: 'no peer connected',
        updatedAt: 1700000000000,
        peer: null,
      },
    },
    wire: concat(
      hex('01520000 00000000 00000000 000000d5'),
      utf8(
        '{"session":"connected","policy":"prefer-tunnel",' +
          '"routes":{"websocket":"direct","download":"direct","upload":"direct"},' +
          '"protected":false,"leaks":0,"reason":"no peer connected","updatedAt":1700000000000,' +
          '"peer":null}',
      ),
    ),
  },
  {
    name: 'stats',
    message: { kind: 'stats', body: { requestsSent: 3, lastHeartbeat: null } },
    wire: concat(
      hex('01530000 00000000 00000000 00000027'),
      utf8('{"requestsSent":3,"lastHeartbeat":null}'),
    ),
  },
];

describe('wire format v1, byte for byte', () => {
  it.each(FIXTURES)('encodes $name to its fixture', ({ message, wire }) => {
    expect(Buffer.from(encodeMessage(message, MAX)).toString('hex')).toBe(
      Buffer.from(wire).toString('hex'),
    );
  });

  it.each(FIXTURES)('decodes the $name fixture back to the message', ({ message, wire }) => {
    expect(decodeMessage(wire, MAX)).toEqual(message);
  });

  it('covers every frame type of the protocol', () => {
    const types = new Set(FIXTURES.map(({ wire }) => wire[1]));
    expect([...types].sort((a = 0, b = 0) => a - b)).toEqual([
      0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x40, 0x41,
      0x50, 0x51, 0x52, 0x53,
    ]);
  });
});
