import { Server } from 'partyserver';
import type { Connection, ConnectionContext, WSMessage } from 'partyserver';

/**
 * The ceiling of the path: the same runtime, routing and hibernating
 * sockets as the tunnel room, but no protocol at all. Every message from
 * side `a` goes to side `b` and back, untouched.
 */
export class BareRelay extends Server {
  static override options = { hibernate: true };

  override getConnectionTags(_connection: Connection, context: ConnectionContext): string[] {
    return [new URL(context.request.url).searchParams.get('side') === 'b' ? 'b' : 'a'];
  }

  override onMessage(connection: Connection, message: WSMessage): void {
    const other = connection.tags.includes('a') ? 'b' : 'a';
    for (const peer of this.getConnections(other)) peer.send(message);
  }
}
