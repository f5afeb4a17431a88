export type RoomEventKind =
  | 'connected'
  | 'refused'
  | 'replaced'
  | 'closed'
  | 'primary'
  | 'health'
  | 'state'
  | 'stream-refused'
  | 'frame-refused'
  | 'flow';

export interface RoomEvent {
  at: number;
  kind: RoomEventKind;
  /** The connection the event is about, when there is one. */
  connection?: string;
  role?: 'worker' | 'peer';
  code?: string;
  detail?: string;
}

/** The last N events of a room, oldest first; persisted with the stats. */
export class EventLog {
  #events: RoomEvent[];
  readonly #kept: number;
  dirty = false;

  constructor(stored: RoomEvent[] | undefined, kept: number) {
    this.#events = Array.isArray(stored) ? stored.slice(-kept) : [];
    this.#kept = kept;
  }

  record(event: RoomEvent): void {
    this.#events.push(event);
    if (this.#events.length > this.#kept) this.#events.splice(0, this.#events.length - this.#kept);
    this.dirty = true;
  }

  list(): RoomEvent[] {
    return this.#events.map((event) => ({ ...event }));
  }

  snapshotForFlush(): RoomEvent[] {
    this.dirty = false;
    return this.list();
  }
}
