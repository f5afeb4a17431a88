import { decodeMessage, encodeMessage, PROTOCOL_DEFAULTS, signToken } from '@pasarela/shared';
import type { Limits, Message, MessageKind, Role, Welcome } from '@pasarela/shared';
import type { BehaviourTarget, TestSocket } from './target.js';

type Of<K extends MessageKind> = Extract<Message, { kind: K }>;

/** Decoding limit on the test side: larger than any frame a room may send. */
const READ_LIMIT = 1024 * 1024;

export interface ClientOptions {
  role: Extract<Role, 'peer' | 'worker'>;
  tenant: string;
  epoch?: number;
  /** partysocket's `_pk`: the same value on every reconnect of one tab. */
  clientId?: string;
  /** Answer the room's pings (peers only); a silent peer does not. */
  answerPings?: boolean;
  /** Delay before each pong, to look far away. */
  pongDelayMs?: number;
  limits?: Limits;
  /** Skip the Hello (and so the Welcome). */
  skipHello?: boolean;
}

export async function tokenFor(
  target: BehaviourTarget,
  options: { role: Role; tenant: string; epoch?: number; ttlSeconds?: number; now?: number },
): Promise<string> {
  return signToken(
    {
      tenant: options.tenant,
      role: options.role,
      ttlSeconds: options.ttlSeconds ?? 300,
      ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
      ...(options.now === undefined ? {} : { now: options.now }),
    },
    target.keys,
  );
}

export function roomPath(tenant: string, token: string, clientId?: string): string {
  const query = new URLSearchParams({ token });
  if (clientId) query.set('_pk', clientId);
  return `/parties/tunnel/${tenant}?${query}`;
}

/**
 * A worker or peer played by the test: decodes everything it receives into
 * an inbox that tests read from in order, by kind.
 */
export class RoomClient {
  readonly socket: TestSocket;
  readonly inbox: Message[] = [];
  welcome: Welcome | null = null;
  pongsSent = 0;
  #answerPings: boolean;
  #pongDelayMs: number;
  readonly #waiters = new Set<() => void>();
  textMessages = 0;
  #closeCode: number | null = null;
  readonly #frameMs: number;

  private constructor(socket: TestSocket, options: ClientOptions, frameMs: number) {
    this.socket = socket;
    this.#answerPings = options.answerPings ?? options.role === 'peer';
    this.#pongDelayMs = options.pongDelayMs ?? 0;
    this.#frameMs = frameMs;
    socket.onMessage((data) => this.#receive(data));
    void socket.closed.then(({ code }) => {
      this.#closeCode = code;
      this.#wakeAll();
    });
  }

  /** Opens a room path as given (any token or none) without saying Hello. */
  static async open(
    target: BehaviourTarget,
    path: string,
    options: Pick<ClientOptions, 'role' | 'answerPings'> = { role: 'peer' },
  ): Promise<RoomClient> {
    const socket = await target.open(path);
    return new RoomClient(
      socket,
      { ...options, tenant: '', skipHello: true },
      target.config.handshakeTimeoutMs,
    );
  }

  /** Says Hello and waits for the Welcome. */
  async hello(role: ClientOptions['role'], limits: Limits = PROTOCOL_DEFAULTS): Promise<Welcome> {
    this.send({
      kind: 'hello',
      body: { protocol: 1, role, software: 'broker-behaviour-suite', capabilities: [], limits },
    });
    this.welcome = (await this.next('welcome')).body;
    return this.welcome;
  }

  static async connect(
    target: BehaviourTarget,
    options: ClientOptions,
    frameMs = target.config.handshakeTimeoutMs,
  ): Promise<RoomClient> {
    const token = await tokenFor(target, { ...options });
    const socket = await target.open(roomPath(options.tenant, token, options.clientId));
    const client = new RoomClient(socket, options, frameMs);
    if (!options.skipHello) await client.hello(options.role, options.limits);
    return client;
  }

  get name(): string {
    return this.welcome?.connectionName ?? '';
  }

  set answerPings(on: boolean) {
    this.#answerPings = on;
  }

  set pongDelayMs(ms: number) {
    this.#pongDelayMs = ms;
  }

  send(message: Message): void {
    this.socket.send(encodeMessage(message, READ_LIMIT));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  #receive(data: Uint8Array | string): void {
    if (typeof data === 'string') {
      this.textMessages += 1;
      return;
    }
    const message = decodeMessage(data, READ_LIMIT);
    if (message.kind === 'ping' && this.#answerPings) {
      const answer = () => {
        this.pongsSent += 1;
        this.send({ kind: 'pong', sentAt: message.sentAt, repliedAt: Date.now() });
      };
      if (this.#pongDelayMs > 0) setTimeout(answer, this.#pongDelayMs);
      else answer();
      return;
    }
    this.inbox.push(message);
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Takes the first message of a kind (that matches) from the inbox, waiting for it. */
  async next<K extends MessageKind>(
    kind: K,
    where: (message: Of<K>) => boolean = () => true,
    timeoutMs = this.#frameMs,
  ): Promise<Of<K>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(
        (message) => message.kind === kind && where(message as Of<K>),
      );
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Of<K>;
      const left = deadline - Date.now();
      if (left <= 0 || this.#closeCode !== null) {
        const seen = this.inbox.map((message) => message.kind).join(', ') || 'nothing';
        const state = this.#closeCode === null ? 'open' : `closed ${this.#closeCode}`;
        throw new Error(`no ${kind} within ${timeoutMs} ms (socket ${state}; inbox: ${seen})`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Whether a message of a kind arrived, without waiting. */
  has<K extends MessageKind>(kind: K, where: (message: Of<K>) => boolean = () => true): boolean {
    return this.inbox.some((message) => message.kind === kind && where(message as Of<K>));
  }

  /** The close code, waiting at most the frame allowance for the room's close. */
  async closeCode(timeoutMs = this.#frameMs): Promise<number> {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs),
    );
    return (await Promise.race([this.socket.closed, timeout])).code;
  }

  close(): void {
    this.socket.close(1000, 'done');
  }
}
