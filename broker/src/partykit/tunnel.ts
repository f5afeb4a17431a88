import type * as Party from 'partykit/server';
import { BROKER_DEFAULTS } from '../core/config.js';
import { consoleSink, createLogger } from '../core/log.js';
import { Room } from '../core/room.js';
import { settingsFrom } from '../core/settings.js';
import { roomHttp } from '../http/room-http.js';
import { PartyRoomHost } from './host.js';
import { INDEX_NAME, INDEX_PARTY } from './names.js';

/**
 * One tenant's room as a PartyKit party (`/parties/tunnel/<tenant>`), with
 * hibernation, over the same core as the Durable Object adapter.
 */
export default class TunnelParty implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: true };
  #host: PartyRoomHost | null = null;
  #room: Room | null = null;

  constructor(readonly party: Party.Room) {}

  #parts(): { room: Room; host: PartyRoomHost } {
    if (!this.#room || !this.#host) {
      const settings = settingsFrom(this.party.env);
      const level =
        settings.config instanceof Error ? BROKER_DEFAULTS.logLevel : settings.config.logLevel;
      const log = createLogger(level, consoleSink, { runtime: 'partykit' });
      this.#host = new PartyRoomHost(
        this.party,
        async (entry) => {
          const index = this.party.context.parties[INDEX_PARTY]?.get(INDEX_NAME);
          await index?.fetch({ method: 'POST', body: JSON.stringify(entry) });
        },
        log,
      );
      this.#room = new Room({ host: this.#host, tenant: this.#tenant(), ...settings });
    }
    return { room: this.#room, host: this.#host };
  }

  /** PartyKit refuses `room.id` inside alarms; the core then reads it from storage. */
  #tenant(): string | null {
    try {
      return this.party.id;
    } catch {
      return null;
    }
  }

  async onStart(): Promise<void> {
    await this.#parts().room.ready();
  }

  async onConnect(connection: Party.Connection, context: Party.ConnectionContext): Promise<void> {
    const { room, host } = this.#parts();
    const request = context.request;
    await room.connect({ url: request.url, userAgent: request.headers.get('user-agent') }, (name) =>
      host.bind(name, connection),
    );
  }

  async onMessage(message: string | ArrayBuffer | ArrayBufferView, connection: Party.Connection) {
    const { room, host } = this.#parts();
    const name = host.nameOf(connection);
    if (name) await room.message(name, message);
  }

  async onClose(connection: Party.Connection): Promise<void> {
    const { room, host } = this.#parts();
    const name = host.nameOf(connection);
    // PartyKit does not pass the close code, nor answer the client's close frame.
    try {
      connection.close();
    } catch {
      // Already closed.
    }
    if (name) await room.closed(name, 1005);
  }

  async onError(connection: Party.Connection, error: Error): Promise<void> {
    const { room, host } = this.#parts();
    const name = host.nameOf(connection);
    room.log.warn('socket error', { connection: name, reason: error?.message });
    if (name) await room.closed(name, 1006);
  }

  onRequest(request: Party.Request): Promise<Response> {
    return roomHttp(this.#parts().room, request as unknown as Request);
  }

  async onAlarm(): Promise<void> {
    await this.#parts().room.alarm();
  }
}
