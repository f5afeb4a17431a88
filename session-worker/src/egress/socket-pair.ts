import { Duplex } from 'node:stream';

/**
 * Two connected in-memory sockets. What one end writes, the other reads,
 * with backpressure (a write completes only once the reader has room),
 * half-close (`end()` reaches the other side as end of stream) and abort
 * (`destroy(error)` fails the other side with that error, so a client sees
 * the egress's own coded error rather than a bare reset).
 *
 * Node's `http` client, its server, `ws` and undici take any Duplex as a
 * connection; they call the few `net.Socket` methods implemented here
 * (`setTimeout`, `setNoDelay`, `setKeepAlive`, `ref`, `unref`, addresses).
 * Node 20 has no `stream.duplexPair` (added in 22.6), and a real loopback
 * socket would cost two file descriptors, a listening port any local
 * process could use as an open relay, and would lose the coded error.
 */

export interface SocketPairEndpoint {
  readonly address: string;
  readonly port: number;
  readonly family?: 'IPv4' | 'IPv6';
}

export interface SocketPairOptions {
  /** What the client end reports as its remote address (the target it asked for). */
  readonly remote: SocketPairEndpoint;
  /** What the server end reports as its remote address. */
  readonly local?: SocketPairEndpoint;
  /** Bytes each end buffers for its reader before a write waits. */
  readonly highWaterMark?: number;
}

const LOCAL_DEFAULT: SocketPairEndpoint = { address: '127.0.0.1', port: 0, family: 'IPv4' };
const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

export class PairSocket extends Duplex {
  /** Never connecting: the other end exists as soon as this one does. */
  readonly connecting = false;
  readonly encrypted = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress: string;
  readonly localPort: number;
  bytesRead = 0;
  bytesWritten = 0;
  timeout: number | undefined;

  #peer: PairSocket | undefined;
  /** The peer's pending write callback, released when this end is read. */
  #releaseWriter: (() => void) | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #ended = false;
  #peerError: Error | undefined;

  constructor(
    remote: SocketPairEndpoint,
    local: SocketPairEndpoint,
    highWaterMark: number,
    allowHalfOpen: boolean,
  ) {
    super({ allowHalfOpen, highWaterMark, decodeStrings: true });
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
    this.remoteFamily = remote.family ?? 'IPv4';
    this.localAddress = local.address;
    this.localPort = local.port;
  }

  /** @internal */
  link(peer: PairSocket): void {
    this.#peer = peer;
  }

  get readyState(): string {
    if (this.destroyed) return 'closed';
    if (this.writableEnded) return this.readableEnded ? 'closed' : 'readOnly';
    return this.readableEnded ? 'writeOnly' : 'open';
  }

  override _read(): void {
    const release = this.#releaseWriter;
    if (release) {
      this.#releaseWriter = undefined;
      release();
    }
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const peer = this.#peer;
    if (!peer || peer.destroyed || peer.#ended) {
      callback(pipeError());
      return;
    }
    this.bytesWritten += chunk.length;
    peer.bytesRead += chunk.length;
    this.#touch();
    peer.#touch();
    if (peer.push(chunk)) {
      callback();
    } else {
      peer.#releaseWriter = () => callback();
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    if (peer && !peer.destroyed && !peer.#ended) {
      peer.#ended = true;
      peer.push(null);
    }
    callback();
  }

  /**
   * Closes this end and fails the other with `peerError`, the way the
   * egress hands a client its coded error instead of a bare reset.
   */
  abort(peerError: Error): void {
    this.#peerError = peerError;
    this.destroy();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    const peer = this.#peer;
    this.#peer = undefined;
    // A writer blocked on this end's buffer must not wait forever; its next
    // write fails with EPIPE.
    const release = this.#releaseWriter;
    this.#releaseWriter = undefined;
    release?.();
    if (peer && !peer.destroyed) {
      if (this.#peerError) {
        peer.destroy(this.#peerError);
      } else if (!peer.#ended) {
        // Like closing a TCP socket: the other side reads to the end of what
        // was sent, then sees end of stream (and, unless half-open, closes).
        peer.#ended = true;
        peer.push(null);
        if (!peer.allowHalfOpen) peer.end();
      }
    }
    callback(error);
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeout = ms;
    if (onTimeout) {
      if (ms === 0) this.removeListener('timeout', onTimeout);
      else this.once('timeout', onTimeout);
    }
    this.#clearIdle();
    if (ms > 0 && !this.destroyed) {
      this.#idleTimer = setTimeout(() => this.emit('timeout'), ms);
      this.#idleTimer.unref();
    }
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  // Nothing here holds the event loop open; the real connections behind do.
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): SocketPairEndpoint {
    return { address: this.localAddress, port: this.localPort, family: 'IPv4' };
  }

  #touch(): void {
    this.#idleTimer?.refresh();
  }

  #clearIdle(): void {
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }
}

function pipeError(): Error {
  return Object.assign(new Error('write after the other end closed'), { code: 'EPIPE' });
}

export interface SocketPair {
  /** Handed to the client library (Node's http client, `ws`, undici). */
  readonly client: PairSocket;
  /** Handed to the egress's own in-process server. */
  readonly server: PairSocket;
}

export function createSocketPair(options: SocketPairOptions): SocketPair {
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  const local = options.local ?? LOCAL_DEFAULT;
  // The client side behaves like net.Socket (no half-open); the server side
  // like the sockets Node's http server accepts (half-open, http decides).
  const client = new PairSocket(options.remote, local, highWaterMark, false);
  const server = new PairSocket(local, options.remote, highWaterMark, true);
  client.link(server);
  server.link(client);
  return { client, server };
}
