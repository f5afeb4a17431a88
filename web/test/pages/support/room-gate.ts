import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createServer } from 'node:tls';
import type { Server, TLSSocket } from 'node:tls';
import type { IssuedPair } from '../../browser/support/ca.js';

/**
 * The way from the browsers to the room: TLS for the room's name with the
 * suite's certificate (the room itself runs plain under `wrangler dev`,
 * where the worker reaches it), then every byte forwarded in order. The
 * suite makes the real causes of the indicator's states here:
 *
 * - `delay(ms)`: each chunk waits that long, both ways, like a slow line
 *   (the kernel here has no netem; DESIGN);
 * - `close()`: open connections are cut and new ones refused, as a network
 *   that went away; `open()` brings it back on the same port.
 */
export class RoomGate {
  readonly #tls: IssuedPair;
  readonly #target: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #delayMs = 0;
  port = 0;

  constructor(options: { readonly tls: IssuedPair; readonly targetPort: number }) {
    this.#tls = options.tls;
    this.#target = options.targetPort;
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  delay(ms: number): void {
    this.#delayMs = ms;
  }

  async open(): Promise<void> {
    if (this.#server) return;
    const server = createServer({ cert: this.#tls.certPem, key: this.#tls.keyPem }, (client) =>
      this.#relay(client),
    );
    server.on('tlsClientError', () => undefined);
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #relay(client: TLSSocket): void {
    const upstream = connect(this.#target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  /** Forwards chunks in order, each after the delay in force when it arrived. */
  #pipe(from: Socket, to: Socket): void {
    let queue = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const due = Date.now() + this.#delayMs;
      queue = queue.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.once('end', () => {
      queue = queue.then(() => {
        if (!to.destroyed) to.end();
      });
    });
  }
}
