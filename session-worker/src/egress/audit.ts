import { EventEmitter } from 'node:events';
import { isWhatsAppHost } from '@pasarela/shared';
import type { EgressPolicy, Leg } from '@pasarela/shared';
import { EGRESS_DEFAULTS } from './defaults.js';
import type { EgressErrorCode } from './errors.js';
import { isLeak } from './leak.js';
import { peerAvailability } from './route.js';
import type { PeerAvailability, PeerView, Route } from './route.js';

/** Where a connection was seen: one of the egress's faces or a process guard. */
export type AuditSource =
  'agent' | 'dispatcher' | 'guard:fetch' | 'guard:http' | 'guard:https' | 'guard:tls' | 'guard:net';

export interface AuditInput {
  /** null: traffic that reached a process guard without a tenant. */
  readonly tenant: string | null;
  readonly source: AuditSource;
  readonly host: string;
  readonly port: number;
  readonly leg: Leg | null;
  /** The route the connection took; null when it was refused. */
  readonly route: Route | null;
  readonly reason: string;
  readonly refused?: EgressErrorCode;
  readonly policy: EgressPolicy | null;
  readonly peer: PeerView | null;
}

export interface AuditRecord {
  readonly seq: number;
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly tenant: string | null;
  readonly source: AuditSource;
  readonly host: string;
  readonly port: number;
  readonly leg: Leg | null;
  readonly route: Route | null;
  readonly reason: string;
  readonly refused: EgressErrorCode | null;
  readonly policy: EgressPolicy | null;
  /** What the peer could do for this leg at that moment. */
  readonly peer: PeerAvailability | null;
  readonly whatsapp: boolean;
  readonly leak: boolean;
}

export interface AuditCounters {
  /** Connections opened, on any route. */
  connections: number;
  direct: number;
  tunnel: number;
  /** Connections refused before anything was opened. */
  refused: number;
  /** Opened connections that then failed to connect. */
  failed: number;
  leaks: number;
  /** Connections and refusals by reason. */
  reasons: Record<string, number>;
  lastLeakAt: number | null;
}

export interface UnattributedCounters {
  refused: number;
  allowed: number;
  bySource: Record<string, number>;
}

/** The plain object the worker's API serves. */
export interface AuditSnapshot {
  startedAt: number;
  totals: AuditCounters;
  tenants: Record<string, AuditCounters>;
  /** WhatsApp-bound traffic the process guards saw without a tenant. */
  unattributed: UnattributedCounters;
  /** Newest last. */
  recent: AuditRecord[];
}

export interface EgressAuditEvents {
  record: [AuditRecord];
  leak: [AuditRecord];
}

function emptyCounters(): AuditCounters {
  return {
    connections: 0,
    direct: 0,
    tunnel: 0,
    refused: 0,
    failed: 0,
    leaks: 0,
    reasons: {},
    lastLeakAt: null,
  };
}

function copyCounters(counters: AuditCounters): AuditCounters {
  return { ...counters, reasons: { ...counters.reasons } };
}

/**
 * The process's record of every connection the egresses open and every
 * WhatsApp-bound connection the guards see. One per process (the API
 * serves it); it emits `record` and `leak` and never logs.
 */
export class EgressAudit extends EventEmitter<EgressAuditEvents> {
  readonly startedAt = Date.now();
  readonly #recentLimit: number;
  readonly #recent: AuditRecord[] = [];
  readonly #totals = emptyCounters();
  readonly #tenants = new Map<string, AuditCounters>();
  readonly #unattributed: UnattributedCounters = { refused: 0, allowed: 0, bySource: {} };
  #seq = 0;

  constructor(options: { recentLimit?: number } = {}) {
    super();
    this.#recentLimit = options.recentLimit ?? EGRESS_DEFAULTS.auditRecentLimit;
  }

  record(input: AuditInput): AuditRecord {
    const whatsapp = isWhatsAppHost(input.host);
    const record: AuditRecord = {
      seq: ++this.#seq,
      at: Date.now(),
      tenant: input.tenant,
      source: input.source,
      host: input.host,
      port: input.port,
      leg: input.leg,
      route: input.route,
      reason: input.reason,
      refused: input.refused ?? null,
      policy: input.policy,
      peer:
        input.tenant === null || input.leg === null
          ? null
          : peerAvailability(input.peer, input.leg),
      whatsapp,
      leak: isLeak({ ...input, whatsapp }),
    };
    if (input.tenant === null) {
      this.#countUnattributed(record);
    } else {
      this.#count(this.#totals, record);
      this.#count(this.#tenantCounters(input.tenant), record);
    }
    this.#recent.push(record);
    if (this.#recent.length > this.#recentLimit) this.#recent.shift();
    this.emit('record', record);
    if (record.leak) this.emit('leak', record);
    return record;
  }

  /** An opened connection that then failed (name lookup, TCP, TLS). */
  recordFailure(tenant: string): void {
    this.#totals.failed += 1;
    this.#tenantCounters(tenant).failed += 1;
  }

  tenant(tenant: string): AuditCounters {
    return copyCounters(this.#tenants.get(tenant) ?? emptyCounters());
  }

  snapshot(): AuditSnapshot {
    const tenants: Record<string, AuditCounters> = {};
    for (const [tenant, counters] of this.#tenants) tenants[tenant] = copyCounters(counters);
    return {
      startedAt: this.startedAt,
      totals: copyCounters(this.#totals),
      tenants,
      unattributed: {
        ...this.#unattributed,
        bySource: { ...this.#unattributed.bySource },
      },
      recent: this.#recent.map((record) => ({ ...record })),
    };
  }

  #tenantCounters(tenant: string): AuditCounters {
    let counters = this.#tenants.get(tenant);
    if (!counters) {
      counters = emptyCounters();
      this.#tenants.set(tenant, counters);
    }
    return counters;
  }

  #count(counters: AuditCounters, record: AuditRecord): void {
    counters.reasons[record.reason] = (counters.reasons[record.reason] ?? 0) + 1;
    if (record.route === null) {
      counters.refused += 1;
      return;
    }
    counters.connections += 1;
    counters[record.route] += 1;
    if (record.leak) {
      counters.leaks += 1;
      counters.lastLeakAt = record.at;
    }
  }

  #countUnattributed(record: AuditRecord): void {
    const counters = this.#unattributed;
    if (record.route === null) counters.refused += 1;
    else counters.allowed += 1;
    counters.bySource[record.source] = (counters.bySource[record.source] ?? 0) + 1;
  }
}

let processAudit: EgressAudit | undefined;

/** The audit shared by every egress and guard of this process. */
export function getProcessAudit(): EgressAudit {
  processAudit ??= new EgressAudit();
  return processAudit;
}
