import type { z } from 'zod';
import type { SessionView } from '../session/index.js';
import type { TenantSummary } from '../store/index.js';
import type { sessionView } from './schemas.js';
import type { ApiServices } from './services.js';

export type SessionViewBody = z.output<typeof sessionView>;

const SOCKET_STATUSES = new Set(['starting', 'qr', 'connected']);

/** `15550100001:7@s.whatsapp.net` to `15550100001`. */
export function phoneOf(account: string | null): string | null {
  const match = account ? /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(account) : null;
  return match ? match[1]! : null;
}

/**
 * A tenant's row in the sessions list: its session as this worker runs it
 * (or as the store knows it, when it does not run here), the policy, the
 * last time WhatsApp was heard, and the tunnel's fields.
 */
export function sessionBody(
  services: ApiServices,
  tenant: string,
  view: SessionView | undefined,
  summary: TenantSummary | undefined,
): SessionViewBody {
  const running = view !== undefined && SOCKET_STATUSES.has(view.status);
  const account = view?.account ?? summary?.account ?? null;
  const tunnel = services.tunnelView(tenant, running);
  return {
    tenantId: tenant,
    status: view?.status ?? 'stopped',
    since: view?.since ?? null,
    reason: view?.reason ?? null,
    phoneNumber: phoneOf(account),
    account,
    lastSeen: services.bridge.lastSeen(tenant),
    running: view !== undefined && view.status !== 'stopped',
    held: view?.held ?? false,
    epoch: view?.epoch ?? null,
    loop: view?.loop ?? false,
    attempts: view?.attempts ?? 0,
    lastDisconnect: view?.lastDisconnect ?? null,
    qr: view?.qr ?? false,
    hasTunnel: tunnel.hasTunnel,
    tunnelHealthy: tunnel.tunnelHealthy,
    route: tunnel.route,
    tunnel: tunnel.tunnel,
    egressPolicy: services.policies.get(tenant),
  };
}

/** One tenant's view; `tenant_not_found` when neither the store nor this worker knows it. */
export async function sessionOf(services: ApiServices, tenant: string) {
  const view = services.manager.status(tenant);
  const summary = (await services.store.list()).find((t) => t.tenant === tenant);
  return { view, summary, known: view !== undefined || summary !== undefined };
}
