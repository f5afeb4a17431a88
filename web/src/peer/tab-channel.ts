import type { Legs, PeerState, TenantStatus } from '@pasarela/shared';
import type { PeerStatus } from './events.js';

/** The part of `BroadcastChannel` the tabs use. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

export type TabCommand = 'pause' | 'resume' | 'reconnect';

export interface LeaderView {
  readonly status: PeerStatus | null;
  readonly state: PeerState | null;
  readonly legs: Legs | null;
  readonly tenantStatus: TenantStatus | null;
}

/** What tabs of one browser tell each other. Version 1; anything else is ignored. */
export type TabMessage =
  /** The leader's peer as it stands now. */
  | { readonly kind: 'view'; readonly view: LeaderView }
  /** A tab that just became standby asks the leader for its view. */
  | { readonly kind: 'ask' }
  /** Staff acted in a standby tab; the leader's peer carries it out. */
  | { readonly kind: 'command'; readonly command: TabCommand };

export interface TabChannelHandlers {
  view(view: LeaderView): void;
  ask(): void;
  command(command: TabCommand): void;
}

const COMMANDS = new Set<string>(['pause', 'resume', 'reconnect']);
const VERSION = 1;

function parse(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const { v, message } = data as { v?: unknown; message?: unknown };
  if (v !== VERSION || typeof message !== 'object' || message === null) return null;
  const candidate = message as { kind?: unknown; command?: unknown; view?: unknown };
  switch (candidate.kind) {
    case 'ask':
      return { kind: 'ask' };
    case 'command':
      return typeof candidate.command === 'string' && COMMANDS.has(candidate.command)
        ? { kind: 'command', command: candidate.command as TabCommand }
        : null;
    case 'view':
      // Structured clone between tabs of one origin: the leader runs this very code.
      return typeof candidate.view === 'object' && candidate.view !== null
        ? { kind: 'view', view: candidate.view as LeaderView }
        : null;
    default:
      return null;
  }
}

/** The tabs' BroadcastChannel, with its messages versioned and checked on arrival. */
export class TabChannel {
  readonly #channel: BroadcastChannelLike;
  #closed = false;

  constructor(Channel: BroadcastChannelConstructor, name: string) {
    this.#channel = new Channel(name);
  }

  listen(handlers: TabChannelHandlers): void {
    this.#channel.addEventListener('message', (event) => {
      if (this.#closed) return;
      const message = parse(event.data);
      if (message?.kind === 'view') handlers.view(message.view);
      else if (message?.kind === 'ask') handlers.ask();
      else if (message?.kind === 'command') handlers.command(message.command);
    });
  }

  send(message: TabMessage): void {
    if (!this.#closed) this.#channel.postMessage({ v: VERSION, message });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.close();
  }
}
