import type { EgressPolicy } from '@pasarela/shared';
import type { Logger } from 'pino';
import type { RecordStore } from '../records/index.js';
import type { SessionManager } from '../session/index.js';

/**
 * Each tenant's egress policy: the stored choice, or the worker's default.
 * Read synchronously when a tenant's egress is built, so the stored values
 * are kept in memory; a change here applies to the running egress at once
 * and is stored, and other replicas pick it up on `refresh`.
 */
export class TenantPolicies {
  readonly #policies = new Map<string, EgressPolicy>();

  constructor(
    private readonly records: RecordStore,
    private readonly fallback: EgressPolicy,
    private readonly logger: Logger,
  ) {}

  get default(): EgressPolicy {
    return this.fallback;
  }

  get(tenant: string): EgressPolicy {
    return this.#policies.get(tenant) ?? this.fallback;
  }

  async set(tenant: string, policy: EgressPolicy, manager: SessionManager): Promise<void> {
    await this.records.putTenantSettings({ tenant, policy, updatedAt: Date.now() });
    this.#policies.set(tenant, policy);
    manager.egress(tenant)?.setPolicy(policy);
  }

  forget(tenant: string): void {
    this.#policies.delete(tenant);
  }

  /** Reads every stored policy and applies changes to the egresses running here. */
  async refresh(manager?: SessionManager): Promise<void> {
    const stored = await this.records.listTenantSettings();
    const seen = new Set<string>();
    for (const { tenant, policy } of stored) {
      seen.add(tenant);
      if (this.#policies.get(tenant) === policy) continue;
      this.#policies.set(tenant, policy);
      const egress = manager?.egress(tenant);
      if (egress && egress.policy !== policy) {
        this.logger.info({ tenant, policy }, 'egress policy changed on another replica');
        egress.setPolicy(policy);
      }
    }
    for (const tenant of [...this.#policies.keys()])
      if (!seen.has(tenant)) this.#policies.delete(tenant);
  }
}
