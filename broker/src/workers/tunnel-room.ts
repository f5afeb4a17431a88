import { Server } from 'partyserver';
import type { Connection, ConnectionContext, WSMessage } from 'partyserver';
import { BROKER_DEFAULTS } from '../core/config.js';
import { consoleSink, createLogger } from '../core/log.js';
import { Room } from '../core/room.js';
import { settingsFrom } from '../core/settings.js';
import { roomHttp } from '../http/room-http.js';
import type { Env } from './env.js';
import { INDEX_NAME } from './env.js';
import { DurableRoomHost } from './host.js';

/**
 * One tenant's room as a Durable Object, on partyserver with hibernation:
 * sockets stay connected while the object is out of memory, and every
 * entry point rebuilds the room from attachments and storage first.
 */
export class TunnelRoom extends Server<Env> {
  static override options = { hibernate: true };
  #host: DurableRoomHost | null = null;
  #room: Room | null = null;

  #parts(): { room: Room; host: DurableRoomHost } {
    if (!this.#room || !this.#host) {
      const settings = settingsFrom(this.env);
      const level =
        settings.config instanceof Error ? BROKER_DEFAULTS.logLevel : settings.config.logLevel;
      const log = createLogger(level, consoleSink, { runtime: 'workers' });
      this.#host = new DurableRoomHost({
        ctx: this.ctx,
        connections: () => this.getConnections(),
        index: (entry) => this.env.RoomIndex.getByName(INDEX_NAME).record(entry),
        log,
      });
      this.#room = new Room({ host: this.#host, tenant: this.name, ...settings });
    }
    return { room: this.#room, host: this.#host };
  }

  override async onStart(): Promise<void> {
    await this.#parts().room.ready();
  }

  override async onConnect(connection: Connection, context: ConnectionContext): Promise<void> {
    const { room, host } = this.#parts();
    const request = context.request;
    await room.connect({ url: request.url, userAgent: request.headers.get('user-agent') }, (name) =>
      host.bind(name, connection),
    );
  }

  override async onMessage(connection: Connection, message: WSMessage): Promise<void> {
    const { room, host } = this.#parts();
    const name = host.nameOf(connection);
    if (name) await room.message(name, message);
  }

  override async onClose(connection: Connection, code: number): Promise<void> {
    const { room, host } = this.#parts();
    const name = host.nameOf(connection);
    if (name) await room.closed(name, code);
  }

  override async onError(connection: Connection, error: unknown): Promise<void> {
    const { room, host } = this.#parts();
    const name = host.nameOf(connection);
    room.log.warn('socket error', { connection: name, reason: (error as Error)?.message });
    if (name) await room.closed(name, 1006);
  }

  override onRequest(request: Request): Promise<Response> {
    return roomHttp(this.#parts().room, request);
  }

  override async onAlarm(): Promise<void> {
    await this.#parts().room.alarm();
  }
}
