/**
 * Tenant ids appear in room names, URLs, log lines and tokens, so they are
 * restricted to a plain, case-sensitive slug.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The tenant an admin token carries: every room. */
export const ANY_TENANT = '*';

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}
