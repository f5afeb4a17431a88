import { signToken } from '@pasarela/shared';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { browserLikeFetch } from '../../../src/node/index.js';
import { RelayPeer } from '../../../src/peer/index.js';
import type { WebSocketConstructor } from '../../../src/peer/index.js';
import { PAGE_ORIGIN, ROOM_HOST } from './stack.js';
import type { Stack } from './stack.js';

/** What the Node peer presents, as the page in Chromium would. */
const NODE_PAGE_RULES = {
  origin: PAGE_ORIGIN,
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) PasarelaNodePeer/0.1 (browser suite)',
};

/**
 * The same relay library in Node, joined to the same room as the page in
 * Chromium, for side-by-side figures: `ws` for the room (over wss, the
 * suite's authority) and `browserLikeFetch` over Node's fetch for WhatsApp,
 * reaching the stand-in's plain development listener through the
 * development host map (Node cannot resolve WhatsApp's names to the
 * stand-in as Chromium's resolver rules do).
 */
export function nodePeerFor(stack: Stack, tenant: string): RelayPeer {
  const standin = stack.standin;
  const plain = standin?.plain?.http;
  if (!standin || !plain) throw new Error('the Node peer needs the stand-in plain listener');
  const roomPort = stack.room.port;
  const caPem = stack.ca.certPem;
  class RoomSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const target = new URL(url);
      const toRoom = target.hostname === ROOM_HOST;
      if (toRoom) target.host = `127.0.0.1:${roomPort}`;
      const options: ClientOptions & { servername?: string } = {
        origin: NODE_PAGE_RULES.origin,
        perMessageDeflate: false,
        headers: {
          'user-agent': NODE_PAGE_RULES.userAgent,
          ...(toRoom ? { host: ROOM_HOST } : {}),
        },
        ...(toRoom ? { ca: caPem, servername: ROOM_HOST } : {}),
      };
      super(target.href, protocols ?? [], options);
    }
  }
  const devHostMap: Record<string, string> = {
    [standin.webHost]: plain,
    [standin.mediaHost]: plain,
  };
  for (const host of standin.uploadHosts) devHostMap[host] = plain;
  const peer = new RelayPeer({
    host: ROOM_HOST,
    protocol: 'wss',
    tenant,
    getToken: () => signToken({ tenant, role: 'peer', ttlSeconds: 600 }, stack.keys),
    WebSocket: RoomSocket as unknown as WebSocketConstructor,
    fetch: browserLikeFetch((input, init) => fetch(input, init), NODE_PAGE_RULES),
    page: null,
    mode: 'development',
    devHostMap,
  });
  peer.start();
  return peer;
}
