import { isWhatsAppHost, normalizeHost } from '@pasarela/shared';
import type { EgressAudit, AuditSource } from '../audit.js';
import type { GuardMode } from '../defaults.js';
import { EgressError } from '../errors.js';
import type { EgressLogger } from '../logger.js';

export interface GuardContext {
  readonly audit: EgressAudit;
  readonly mode: GuardMode;
  readonly logger: EgressLogger;
}

export interface GuardedConnection {
  readonly source: AuditSource;
  readonly host: string | null | undefined;
  readonly servername?: string | null | undefined;
  /** Unknown (0) when the guard sees the connection before it has one. */
  readonly port: number | string | null | undefined;
}

/**
 * One verdict for a connection that reached a process guard, which by
 * construction carries no tenant (the egress's own connections are marked
 * and never get here). Traffic to other hosts passes silently. A
 * WhatsApp-bound one is recorded, logged, and refused with
 * `tenant_missing` unless the guards only record. Returns the refusal.
 */
export function judge(context: GuardContext, connection: GuardedConnection): EgressError | null {
  const candidates = [connection.servername, connection.host]
    .filter((name): name is string => typeof name === 'string' && name.length > 0)
    .map(normalizeHost);
  const host = candidates.find(isWhatsAppHost);
  if (host === undefined) return null;
  const port = Number(connection.port) || 0;
  const refuse = context.mode === 'refuse';
  context.audit.record({
    tenant: null,
    source: connection.source,
    host,
    port,
    leg: null,
    route: refuse ? null : 'direct',
    reason: 'no_tenant',
    refused: refuse ? 'tenant_missing' : undefined,
    policy: null,
    peer: null,
  });
  const fields = { host, port, source: connection.source, action: refuse ? 'refused' : 'allowed' };
  context.logger.warn(
    fields,
    refuse
      ? 'tenant-less WhatsApp-bound connection refused'
      : 'tenant-less WhatsApp-bound connection allowed (guards only record)',
  );
  if (!refuse) return null;
  return new EgressError(
    'tenant_missing',
    `${host} was reached without a tenant (${connection.source}); use the tenant's egress`,
    { host, source: connection.source },
  );
}
