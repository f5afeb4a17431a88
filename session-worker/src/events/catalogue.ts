/**
 * The event types the worker publishes, each with its meaning. SSE, webhook
 * subscriptions and the OpenAPI document read this list; a layer that
 * publishes its own events (the tunnel) registers them here first.
 */
export interface EventTypeSpec {
  readonly type: string;
  readonly description: string;
}

export const CORE_EVENT_TYPES: readonly EventTypeSpec[] = [
  {
    type: 'session.status',
    description: 'A session changed status: `from`, `to`, `reason`, `detail`.',
  },
  {
    type: 'session.qr',
    description:
      'A new pairing QR is shown; fetch it from the QR route (the string is not in the event).',
  },
  { type: 'session.paired', description: 'The phone paired the session: `account`.' },
  {
    type: 'session.alert',
    description: 'A session needs a person (403, 411, a failed start): `reason`, `statusCode`.',
  },
  {
    type: 'session.loop',
    description: 'Reconnects of a session reached the loop threshold: `recentReconnects`.',
  },
  {
    type: 'message.received',
    description: 'A message arrived: `id`, `chat`, `from`, `type`, `text`, `media`.',
  },
  {
    type: 'message.receipt',
    description: 'A sent message was delivered, read or played: `id`, `chat`, `status`.',
  },
  {
    type: 'message.send',
    description:
      'A send changed state after its request was answered: `idempotencyKey`, `id`, `state`.',
  },
];

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export class EventCatalogue {
  readonly #types = new Map<string, EventTypeSpec>();

  constructor(specs: readonly EventTypeSpec[] = CORE_EVENT_TYPES) {
    for (const spec of specs) this.register(spec);
  }

  register(spec: EventTypeSpec): void {
    if (!EVENT_TYPE.test(spec.type)) throw new TypeError(`bad event type "${spec.type}"`);
    if (this.#types.has(spec.type)) throw new TypeError(`event type ${spec.type} is registered`);
    this.#types.set(spec.type, spec);
  }

  has(type: string): boolean {
    return this.#types.has(type);
  }

  list(): EventTypeSpec[] {
    return [...this.#types.values()];
  }

  names(): string[] {
    return [...this.#types.keys()];
  }
}
