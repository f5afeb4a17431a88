import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { listenLocal } from './ports.js';

/**
 * A port that must never be reached: the names and addresses the peer has
 * to refuse point here, and every TCP connection is counted (and closed)
 * before any TLS or HTTP byte, so a request that left the browser cannot
 * go unseen.
 */
export class Trap {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  port = 0;
  connections = 0;

  constructor() {
    this.#server = createServer((socket) => {
      this.connections += 1;
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.destroy();
    });
  }

  async start(): Promise<void> {
    this.port = await listenLocal(this.#server);
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}
