import { createServer } from 'node:net';
import type { Server } from 'node:net';

/** A free loopback port, found by letting the kernel pick one. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Listens on loopback (port 0: any) and resolves with the port. */
export function listenLocal(server: Pick<Server, 'listen' | 'once' | 'address'>, port = 0) {
  return new Promise<number>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done((server.address() as { port: number }).port));
  });
}
