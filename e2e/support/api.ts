import type { EgressPolicy } from '@pasarela/shared';
import { followEvents } from '../../dev/src/sse.js';
import type { WorkerEvent } from '../../dev/src/sse.js';

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface SessionView {
  readonly tenantId: string;
  readonly status: string;
  readonly phoneNumber: string | null;
  readonly qr: boolean;
  readonly route: string;
  readonly tunnel: string;
  readonly hasTunnel: boolean;
  readonly tunnelHealthy: boolean;
  readonly egressPolicy: EgressPolicy;
}

export interface RouteCounters {
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: Record<string, number>;
  readonly fallbacks: number;
}

export interface TunnelStats {
  readonly requestsSent: number;
  readonly requestsSuccess: number;
  readonly requestsFailed: number;
  readonly bytesProxied: number;
  readonly route: { websocket: string; download: string; upload: string };
  readonly peer: { peerId: string; health: string; state: string; userAgent: string | null } | null;
  readonly leaks: { count: number };
  readonly routes: { direct: RouteCounters; tunnel: RouteCounters };
  readonly routeChanges: { count: number };
}

export interface AuditRecordView {
  readonly at: number;
  readonly tenant: string | null;
  readonly host: string;
  readonly route: string | null;
  readonly reason: string;
  readonly leak: boolean;
}

export interface AuditView {
  readonly tenants: Record<string, { leaks: number; direct: number; tunnel: number }>;
  readonly recent: readonly AuditRecordView[];
}

/**
 * The worker's HTTP API, as the restaurant's backend and an operator call
 * it: the admin key for tenants and keys, a tenant's own key for the rest.
 */
export class WorkerApi {
  constructor(
    readonly url: string,
    readonly adminKey: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.key ?? this.adminKey}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // A file: the text stands.
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  /** A received message's media, as bytes. */
  async media(tenant: string, key: string, messageId: string) {
    const response = await fetch(
      `${this.url}/api/baileys/sessions/${tenant}/messages/${messageId}/media`,
      { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(120_000) },
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    let code: string | null = null;
    if (!response.ok) {
      code = (JSON.parse(bytes.toString('utf8')) as { error: { code: string } }).error.code;
    }
    return { status: response.status, bytes, code };
  }

  session(tenant: string, key: string) {
    return this.call<SessionView>('GET', `/api/baileys/sessions/${tenant}`, { key });
  }

  async stats(tenant: string, key: string): Promise<TunnelStats> {
    const answer = await this.call<TunnelStats>('GET', `/api/tunnel/stats/${tenant}`, { key });
    if (answer.status !== 200) throw new Error(`stats of ${tenant} answered ${answer.status}`);
    return answer.body;
  }

  async audit(): Promise<AuditView> {
    return (await this.call<AuditView>('GET', '/api/egress/audit')).body;
  }
}

/**
 * Every event the worker publishes, read from its SSE stream from the
 * first one on (`since=0`) for the whole run, as an operator's system would.
 */
export class EventLog {
  readonly events: WorkerEvent[] = [];
  readonly #abort = new AbortController();
  #following: Promise<void> | null = null;

  start(api: WorkerApi): Promise<void> {
    return new Promise((opened, failed) => {
      this.#following = followEvents(
        {
          workerUrl: api.url,
          key: api.adminKey,
          since: 0,
          signal: this.#abort.signal,
          onOpen: () => opened(),
        },
        (event) => this.events.push(event),
      ).catch((error: Error) => failed(error));
    });
  }

  of(tenant: string, type: string, after = 0): WorkerEvent[] {
    return this.events.filter((e) => e.tenantId === tenant && e.type === type && e.id > after);
  }

  get lastId(): number {
    return this.events.at(-1)?.id ?? 0;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#following?.catch(() => undefined);
  }
}
