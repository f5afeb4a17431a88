import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import {
  agreeLimits,
  decodeMessage,
  encodeMessage,
  ERROR_CATALOGUE,
  isProtocolError,
  PROTOCOL_DEFAULTS,
  verifyToken,
} from '@pasarela/shared';
import type { Limits, Message, TokenClaims, TokenKeySet } from '@pasarela/shared';

export const TEST_KEYS: TokenKeySet = {
  signingKeyId: 'test',
  keys: { test: 'a test secret of at least thirty-two characters' },
};

export interface TestRoomOptions {
  readonly tenant: string;
  /** Listen on this port (for a room that comes back where it was). */
  readonly port?: number;
  readonly limits?: Limits;
  /** Answer Hello with Welcome (default true). */
  readonly welcome?: boolean;
}

type Waiter = { test: (message: Message) => boolean; resolve: (message: Message) => void };

/** One peer socket as the room sees it: every frame decoded, in order. */
export class RoomSocket {
  readonly frames: Message[] = [];
  claims: TokenClaims | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  limits: Limits;
  readonly #ws: WebSocket;
  readonly #taken = new Set<number>();
  #waiters: Waiter[] = [];

  constructor(ws: WebSocket, limits: Limits) {
    this.#ws = ws;
    this.limits = limits;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const message = decodeMessage(bytes, this.limits.maxFrameSize);
      const index = this.frames.push(message) - 1;
      const waiter = this.#waiters.find((candidate) => candidate.test(message));
      if (waiter) {
        this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
        this.#taken.add(index);
        waiter.resolve(message);
      }
    });
  }

  /** The next frame, not yet taken, that passes the test (already received or to come). */
  take(test: (message: Message) => boolean): Promise<Message> {
    const index = this.frames.findIndex((message, i) => !this.#taken.has(i) && test(message));
    if (index !== -1) {
      this.#taken.add(index);
      return Promise.resolve(this.frames[index] as Message);
    }
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  next<K extends Message['kind']>(
    kind: K,
    streamId?: number,
  ): Promise<Extract<Message, { kind: K }>> {
    return this.take(
      (message) =>
        message.kind === kind &&
        (streamId === undefined || ('streamId' in message && message.streamId === streamId)),
    ) as Promise<Extract<Message, { kind: K }>>;
  }

  send(message: Message): void {
    this.#ws.send(encodeMessage(message, this.limits.maxFrameSize));
  }

  sendRaw(data: Uint8Array | string): void {
    this.#ws.send(data);
  }

  close(code: number, reason = ''): void {
    this.#ws.close(code, reason);
  }

  /** Cuts the socket without a close handshake, as a dropped network does. */
  terminate(): void {
    this.#ws.terminate();
  }
}

/**
 * A room of the test's own on loopback, speaking protocol v1 as the real
 * room does towards a peer: token check, Hello, Welcome, then whatever the
 * test sends in the worker's place.
 */
export class TestRoom {
  readonly sockets: RoomSocket[] = [];
  readonly tokens: string[] = [];
  /** The source address of each upgrade the room received. */
  readonly remoteAddresses: (string | undefined)[] = [];
  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #options: TestRoomOptions;
  #arrivals: ((socket: RoomSocket) => void)[] = [];

  private constructor(options: TestRoomOptions) {
    this.#options = options;
    this.#server = http.createServer((_request, response) => response.writeHead(404).end());
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (request, socket, head) => {
      this.remoteAddresses.push(request.socket.remoteAddress);
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        void this.#accept(ws, new URL(request.url ?? '/', 'http://room.test'));
      });
    });
  }

  static async start(options: TestRoomOptions): Promise<TestRoom> {
    const room = new TestRoom(options);
    await new Promise<void>((resolve, reject) => {
      room.#server.once('error', reject);
      room.#server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return room;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The n-th socket (from 0) the room accepted, once it has. */
  socket(index: number): Promise<RoomSocket> {
    const existing = this.sockets[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const check = (): void => {
        const socket = this.sockets[index];
        if (socket) resolve(socket);
        else this.#arrivals.push(check);
      };
      this.#arrivals.push(check);
    });
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
  }

  async #accept(ws: WebSocket, url: URL): Promise<void> {
    const { tenant } = this.#options;
    const token = url.searchParams.get('token');
    this.tokens.push(token ?? '');
    const limits = this.#options.limits ?? PROTOCOL_DEFAULTS;
    if (url.pathname !== `/parties/tunnel/${tenant}`) {
      ws.close(4006, 'no such room');
      return;
    }
    // Frames that arrive while the token is checked are kept, not lost.
    const socket = new RoomSocket(ws, limits);
    try {
      socket.claims = await verifyToken(token, TEST_KEYS, { tenant, roles: ['peer'] });
    } catch (error) {
      const code = isProtocolError(error) ? error.code : 'internal';
      ws.send(encodeMessage({ kind: 'error', body: { code, message: code } }, limits.maxFrameSize));
      ws.close(ERROR_CATALOGUE[code].closeCode, code);
      return;
    }
    this.sockets.push(socket);
    const arrivals = this.#arrivals;
    this.#arrivals = [];
    for (const arrival of arrivals) arrival(socket);
    const hello = await socket.take(() => true);
    if (hello.kind !== 'hello' || this.#options.welcome === false) return;
    socket.limits = agreeLimits(limits, hello.body.limits);
    socket.send({
      kind: 'welcome',
      body: {
        protocol: 1,
        role: 'peer',
        tenant,
        connectionName: `peer-${this.sockets.length}`,
        limits: socket.limits,
        serverTime: Date.now(),
      },
    });
  }
}
