import type { UpstreamConnection } from './connection.js';

/** The open upstream connections, to find an account's sockets for eviction and faults. */
export class ConnectionRegistry {
  private readonly open = new Set<UpstreamConnection>();

  add(connection: UpstreamConnection): void {
    this.open.add(connection);
  }

  remove(connection: UpstreamConnection): void {
    this.open.delete(connection);
  }

  all(): UpstreamConnection[] {
    return [...this.open];
  }

  /** Connections tied to the account (logged in, or paired during this connection). */
  forAccount(phone: string): UpstreamConnection[] {
    return this.all().filter((connection) => connection.record.account === phone);
  }
}
