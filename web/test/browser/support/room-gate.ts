import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { listenLocal } from './ports.js';

/**
 * A TCP gate in front of the room, on a port of its own, that the browser
 * reaches the room through. Bytes pass untouched (TLS ends at the room), so
 * the gate can make the room unreachable and bring it back on the same
 * address without restarting it: closed, the port refuses connections as a
 * host that is down does. The worker connects to the room directly.
 */
export class RoomGate {
  #target: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  port = 0;
  /** Connections the gate accepted, over its whole life. */
  accepted = 0;

  constructor(targetPort: number) {
    this.#target = targetPort;
  }

  /** Where the gate leads (the room's port, once it is known). */
  retarget(port: number): void {
    this.#target = port;
  }

  async open(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => this.#relay(client));
    this.#server = server;
    this.port = await listenLocal(server, this.port);
  }

  /** Refuses every new connection and cuts the open ones. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((done) => server.close(() => done()));
  }

  #relay(client: Socket): void {
    this.accepted += 1;
    const upstream = connect(this.#target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      // Small frames (pings, credit, WebSocket messages) must not wait for
      // Nagle's algorithm to meet a delayed ACK: that alone adds ~40 ms.
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
