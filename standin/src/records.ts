/**
 * What the stand-in saw, as a test reads it back: every HTTP request and
 * WebSocket upgrade, every upstream connection, login and registration, and
 * per account the number of connections open at each instant. These are the
 * external truth a test checks routes against.
 */

export type HeaderPair = readonly [name: string, value: string];

export interface RequestRecord {
  readonly seq: number;
  readonly kind: 'http' | 'ws';
  readonly time: string;
  /** Which listener took it: the TLS one (HTTP/2 or 1.1) or the plain development one. */
  readonly transport: 'tls' | 'plain';
  readonly httpVersion: string;
  /** The TLS server name the client asked for, if any. */
  readonly sni: string | null;
  /** The host name served: the request's Host/:authority without port, lower-cased. */
  readonly host: string;
  readonly method: string;
  /** Path and query; a media `auth` parameter is replaced by `REDACTED`. */
  readonly path: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly origin: string | null;
  readonly userAgent: string | null;
  /** Every header in arrival order, repeats kept, names as sent (HTTP/2: lower-case). */
  readonly headers: readonly HeaderPair[];
  account: string | null;
  /**
   * The stand-in's own simulated device that made this request (a contact
   * fetching media: `contact:<phone>`), told apart by its socket; null for clients.
   */
  party: string | null;
  /** Upstream connection id, for WebSocket upgrades. */
  connection: string | null;
  /** Response status (101 for an accepted upgrade), null while pending. */
  status: number | null;
  /** The response's headers as sent, null while pending. */
  responseHeaders: Record<string, string> | null;
  /** Why a fault refused it, if one did. */
  refusedBy: string | null;
}

export interface ConnectionRecord {
  readonly id: string;
  readonly requestSeq: number;
  readonly openedAt: string;
  closedAt: string | null;
  account: string | null;
  device: number | null;
  /** Known once the ClientFinish is read: a new device registering, or a paired one logging in. */
  kind: 'registration' | 'login' | null;
  /** Whether the intro carried routing info from an earlier `ib/edge_routing`. */
  routed: boolean;
  /** What ended it or what it achieved last: see README for the values. */
  outcome: string | null;
  pingsAnswered: number;
  pingsIgnored: number;
  framesIn: number;
  framesOut: number;
  /** IQs answered by the generic empty result: queries the stand-in has no model for. */
  genericAnswers: string[];
}

export interface LoginRecord {
  readonly time: string;
  readonly connection: string;
  readonly account: string;
  readonly device: number;
  /** `success`, or `failure <reason>` when the stand-in refused it. */
  readonly result: string;
}

export interface RegistrationRecord {
  readonly time: string;
  readonly connection: string;
  /** Set once the phone pairs this connection. */
  account: string | null;
  device: number | null;
  method: 'qr' | 'code' | null;
  refsHandedOut: number;
  /** `pending`, `paired`, or `closed` (ended unpaired). */
  result: 'pending' | 'paired' | 'closed';
}

export interface OpenSample {
  readonly time: string;
  readonly open: number;
}

export interface RecordsSnapshot {
  /**
   * The sequence number of the newest request so far: pass it as `since` to see only later ones.
   */
  readonly lastSeq: number;
  readonly requests: readonly RequestRecord[];
  readonly droppedRequests: number;
  readonly connections: readonly ConnectionRecord[];
  readonly logins: readonly LoginRecord[];
  readonly registrations: readonly RegistrationRecord[];
}

export interface OpenCount {
  readonly open: number;
  readonly peak: number;
  readonly timeline: readonly OpenSample[];
}

const TIMELINE_LIMIT = 10_000;

export class Records {
  private seq = 0;
  private connectionSeq = 0;
  private dropped = 0;
  private readonly requests: RequestRecord[] = [];
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly logins: LoginRecord[] = [];
  private readonly registrations = new Map<string, RegistrationRecord>();
  private readonly open = new Map<string, { open: number; peak: number; timeline: OpenSample[] }>();

  constructor(private readonly limit: number) {}

  addRequest(fields: Omit<RequestRecord, 'seq' | 'time'>): RequestRecord {
    const record: RequestRecord = { seq: ++this.seq, time: new Date().toISOString(), ...fields };
    this.requests.push(record);
    if (this.requests.length > this.limit) {
      this.requests.shift();
      this.dropped += 1;
    }
    return record;
  }

  openConnection(request: RequestRecord): ConnectionRecord {
    const record: ConnectionRecord = {
      id: `c${++this.connectionSeq}`,
      requestSeq: request.seq,
      openedAt: new Date().toISOString(),
      closedAt: null,
      account: null,
      device: null,
      kind: null,
      routed: false,
      outcome: null,
      pingsAnswered: 0,
      pingsIgnored: 0,
      framesIn: 0,
      framesOut: 0,
      genericAnswers: [],
    };
    request.connection = record.id;
    this.connections.set(record.id, record);
    return record;
  }

  /** Ties an open connection to an account; from then on it counts as that account's. */
  attach(connection: ConnectionRecord, account: string, device: number): void {
    if (connection.account === account) return;
    connection.account = account;
    connection.device = device;
    for (const request of this.requests) {
      if (request.seq === connection.requestSeq) request.account = account;
    }
    if (connection.closedAt === null) this.adjustOpen(account, +1);
  }

  closeConnection(connection: ConnectionRecord, outcome: string): void {
    if (connection.closedAt !== null) return;
    connection.closedAt = new Date().toISOString();
    connection.outcome ??= outcome;
    if (connection.account !== null) this.adjustOpen(connection.account, -1);
    const registration = this.registrations.get(connection.id);
    if (registration && registration.result === 'pending') registration.result = 'closed';
  }

  addLogin(login: Omit<LoginRecord, 'time'>): void {
    this.logins.push({ time: new Date().toISOString(), ...login });
  }

  registration(connection: string): RegistrationRecord {
    let record = this.registrations.get(connection);
    if (!record) {
      record = {
        time: new Date().toISOString(),
        connection,
        account: null,
        device: null,
        method: null,
        refsHandedOut: 0,
        result: 'pending',
      };
      this.registrations.set(connection, record);
    }
    return record;
  }

  openCount(account: string): OpenCount {
    const entry = this.open.get(account);
    return entry
      ? { open: entry.open, peak: entry.peak, timeline: [...entry.timeline] }
      : { open: 0, peak: 0, timeline: [] };
  }

  snapshot(sinceSeq = 0): RecordsSnapshot {
    return {
      lastSeq: this.seq,
      requests: this.requests.filter((request) => request.seq > sinceSeq),
      droppedRequests: this.dropped,
      connections: [...this.connections.values()],
      logins: [...this.logins],
      registrations: [...this.registrations.values()],
    };
  }

  private adjustOpen(account: string, delta: number): void {
    let entry = this.open.get(account);
    if (!entry) {
      entry = { open: 0, peak: 0, timeline: [] };
      this.open.set(account, entry);
    }
    entry.open += delta;
    entry.peak = Math.max(entry.peak, entry.open);
    entry.timeline.push({ time: new Date().toISOString(), open: entry.open });
    if (entry.timeline.length > TIMELINE_LIMIT) entry.timeline.shift();
  }
}
