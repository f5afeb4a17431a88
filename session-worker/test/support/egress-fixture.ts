import { createEgress, EgressAudit } from '../../src/egress/index.js';
import type { EgressOptions, TenantEgress } from '../../src/egress/index.js';
import { captureLogger } from './capture-logger.js';
import { startUpstream } from './upstream.js';
import type { TestUpstream } from './upstream.js';

export const TENANT = 'pizza-roma';

export interface EgressFixture {
  readonly upstream: TestUpstream;
  readonly audit: EgressAudit;
  readonly logger: ReturnType<typeof captureLogger>;
  readonly egress: TenantEgress;
  close(): Promise<void>;
}

/**
 * A tenant egress whose host map sends WhatsApp's names (and example.org)
 * to a fresh test upstream, trusting that upstream's CA, with an audit and
 * a logger of its own.
 */
export async function egressFixture(options: Partial<EgressOptions> = {}): Promise<EgressFixture> {
  const upstream = await startUpstream();
  const audit = new EgressAudit();
  const logger = captureLogger();
  const egress = createEgress({
    tenant: TENANT,
    policy: 'direct',
    hostMap: {
      'web.whatsapp.com': upstream.address,
      '*.whatsapp.net': upstream.address,
      'example.org': upstream.address,
    },
    ca: upstream.ca,
    production: false,
    audit,
    logger,
    ...options,
  });
  return {
    upstream,
    audit,
    logger,
    egress,
    async close() {
      await egress.close();
      await upstream.close();
    },
  };
}

/** The audit records of a tenant, newest last. */
export function recordsOf(audit: EgressAudit, tenant: string | null = TENANT) {
  return audit.snapshot().recent.filter((record) => record.tenant === tenant);
}

/** The catalogue code of an error or of any error in its `cause` chain. */
export function codeOf(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[a-z_]+$/.test(code)) return code;
  }
  return undefined;
}
