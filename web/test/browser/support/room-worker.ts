import {
  agreeLimits,
  decodeMessage,
  encodeMessage,
  PROTOCOL_DEFAULTS,
  signToken,
} from '@pasarela/shared';
import type { Limits, Message, Presence, TokenKeySet, Welcome } from '@pasarela/shared';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import type { WorkerEnd } from '../../support/worker.js';

export interface RoomWorkerOptions {
  /** The room's loopback port and the name its certificate carries. */
  readonly port: number;
  readonly hostName: string;
  readonly caPem: string;
  readonly tenant: string;
  readonly keys: TokenKeySet;
  /** The lease epoch in the worker's token; the room refuses one lower than it has seen. */
  readonly epoch?: number;
}

type Waiter = { test: (message: Message) => boolean; resolve: (message: Message) => void };

/**
 * The session worker's side of a real room, played by the test: a worker
 * token, Hello, Welcome, then every frame decoded in order. It opens
 * streams towards the tenant's primary peer (through the room) exactly as
 * the worker does, so the peer in Chromium is driven by real protocol
 * frames relayed by the real room.
 */
export class RoomWorker implements WorkerEnd {
  readonly frames: Message[] = [];
  limits: Limits = PROTOCOL_DEFAULTS;
  welcome: Welcome | null = null;
  presence: Presence | null = null;
  readonly closed: Promise<number>;
  readonly #ws: WebSocket;
  readonly #taken = new Set<number>();
  #waiters: Waiter[] = [];
  #presenceWaiters = new Set<() => void>();
  readonly #subscribers = new Map<number, (message: Message) => void>();
  readonly #presenceListeners = new Set<(presence: Presence) => void>();
  #nextStream = 0;
  #nextConnection = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((done) => ws.once('close', (code) => done(code)));
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.#receive(decodeMessage(bytes, this.limits.maxFrameSize));
    });
  }

  static async connect(options: RoomWorkerOptions): Promise<RoomWorker> {
    const token = await signToken(
      { tenant: options.tenant, role: 'worker', ttlSeconds: 600, epoch: options.epoch ?? 1 },
      options.keys,
    );
    const url =
      `wss://127.0.0.1:${options.port}/parties/tunnel/${options.tenant}?` +
      new URLSearchParams({ token });
    // `ws` hands `servername` on to tls.connect: the certificate is checked for the room's name.
    const tls: ClientOptions & { servername: string } = {
      ca: options.caPem,
      servername: options.hostName,
      headers: { host: options.hostName, 'user-agent': 'pasarela-browser-suite worker' },
      perMessageDeflate: false,
    };
    const ws = new WebSocket(url, tls);
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
    ws.on('error', () => undefined);
    const worker = new RoomWorker(ws);
    worker.send({
      kind: 'hello',
      body: {
        protocol: 1,
        role: 'worker',
        software: 'pasarela-browser-suite',
        capabilities: ['http', 'websocket'],
        limits: PROTOCOL_DEFAULTS,
      },
    });
    const welcome = await worker.next('welcome');
    worker.welcome = welcome.body;
    worker.limits = agreeLimits(PROTOCOL_DEFAULTS, welcome.body.limits);
    return worker;
  }

  /** A fresh stream id and, unless given, a fresh upstream connection id. */
  ids(connectionId?: number): { streamId: number; connectionId: number } {
    this.#nextStream += 1;
    return { streamId: this.#nextStream, connectionId: connectionId ?? this.newConnection() };
  }

  newConnection(): number {
    this.#nextConnection += 1;
    return this.#nextConnection;
  }

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

  /**
   * Resolves with the first Presence (the latest one, or one to come) that
   * passes the test, or rejects after `boundMs` naming what was seen last.
   */
  async untilPresence(
    describe: string,
    test: (presence: Presence) => boolean,
    boundMs: number,
  ): Promise<Presence> {
    const deadline = Date.now() + boundMs;
    for (;;) {
      const current = this.presence;
      if (current && test(current)) return current;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no Presence with ${describe} within ${boundMs} ms; last: ${JSON.stringify(current)}`,
        );
      }
      await new Promise<void>((done) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#presenceWaiters.delete(wake);
          done();
        };
        const timer = setTimeout(wake, left);
        this.#presenceWaiters.add(wake);
      });
    }
  }

  /**
   * Hands every frame of one stream to `handler` as it arrives instead of
   * keeping it (a long-lived upstream WebSocket); returns the unsubscriber.
   */
  subscribe(streamId: number, handler: (message: Message) => void): () => void {
    this.#subscribers.set(streamId, handler);
    return () => this.#subscribers.delete(streamId);
  }

  /** Calls `listener` with every Presence from now on. */
  subscribePresence(listener: (presence: Presence) => void): () => void {
    this.#presenceListeners.add(listener);
    return () => this.#presenceListeners.delete(listener);
  }

  send(message: Message): void {
    this.#ws.send(encodeMessage(message, this.limits.maxFrameSize));
  }

  close(): void {
    this.#ws.close(1000, 'worker done');
  }

  #receive(message: Message): void {
    if (message.kind === 'presence') {
      this.presence = message.body;
      for (const wake of [...this.#presenceWaiters]) wake();
      for (const listener of this.#presenceListeners) listener(message.body);
    }
    const subscriber = 'streamId' in message ? this.#subscribers.get(message.streamId) : undefined;
    if (subscriber) {
      subscriber(message);
      return;
    }
    const index = this.frames.push(message) - 1;
    const waiter = this.#waiters.find((candidate) => candidate.test(message));
    if (waiter) {
      this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
      this.#taken.add(index);
      waiter.resolve(message);
    }
  }
}
