import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import type { RoomSocketClass } from '@pasarela/session-worker/tunnel';
import { startStack } from '../../../../session-worker/test/tunnel/support/stack.js';
import type { Stack as WorkerStack } from '../../../../session-worker/test/tunnel/support/stack.js';
import { ROOM_HOST } from '../../../../web/test/browser/support/stack.js';
import type { Stack } from '../../../../web/test/browser/support/stack.js';

export type { WorkerStack };

/**
 * The cloud host's side as the product wires it, in this process: the
 * session manager (real Baileys, SQLite creds) building each tenant's
 * egress through the tunnel service, reaching the stand-in directly from
 * 127.0.0.1 and the browser suite's room over wss. The worker side names
 * its room `ws://rooms.pasarela.test`; its sockets go to the room's
 * loopback port over TLS, with the name kept for the certificate check.
 */
export function startWorker(stack: Stack): Promise<WorkerStack> {
  const standin = stack.standin;
  if (!standin) throw new Error('the worker needs the stand-in');
  const roomPort = stack.room.port;
  const caPem = stack.ca.certPem;
  const RoomSocket: RoomSocketClass = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const target = new URL(url);
      target.protocol = 'wss:';
      target.host = `127.0.0.1:${roomPort}`;
      const options: ClientOptions & { servername: string } = {
        ca: caPem,
        servername: ROOM_HOST,
        perMessageDeflate: false,
        headers: { host: ROOM_HOST, 'user-agent': 'pasarela-session-worker (extension suite)' },
      };
      super(target.href, protocols ?? [], options);
    }
  };
  return startStack({
    standin,
    room: { host: ROOM_HOST },
    keys: { json: JSON.stringify(stack.keys.keys), keys: stack.keys },
    WebSocket: RoomSocket,
  });
}
