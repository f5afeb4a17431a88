import { callJson, errorCode } from './http.js';
import type { DevSecrets } from './secrets.js';
import { saveSecrets, withTenantKey } from './secrets.js';

export interface SessionBody {
  readonly tenantId: string;
  readonly status: string;
  readonly phoneNumber: string | null;
  readonly qr: boolean;
  readonly route: string;
  readonly tunnel: string;
  readonly egressPolicy: string;
}

/**
 * The demo restaurant, as an operator would set it up with the admin key:
 * the tenant created and started (a QR when it is not linked, a login when
 * it is), and an API key for the restaurant's backend, minted once and kept
 * in the secrets file. A kept key the worker no longer knows (its SQLite
 * file was removed) is replaced.
 */
export async function provisionTenant(options: {
  readonly workerUrl: string;
  readonly dataDir: string;
  readonly secrets: DevSecrets;
  readonly tenant: string;
}): Promise<{ secrets: DevSecrets; tenantKey: string; session: SessionBody }> {
  const { workerUrl, tenant } = options;
  let secrets = options.secrets;
  const created = await callJson<SessionBody>(workerUrl, '/api/baileys/sessions', {
    key: secrets.adminKey,
    body: { tenantId: tenant },
  });
  if (created.status !== 201) {
    throw new Error(`the worker refused to start ${tenant}: ${errorCode(created)}`);
  }
  let tenantKey = secrets.tenantKeys[tenant];
  if (tenantKey) {
    const check = await callJson(workerUrl, `/api/baileys/sessions/${tenant}`, { key: tenantKey });
    if (check.status === 401) tenantKey = undefined;
  }
  if (!tenantKey) {
    const minted = await callJson<{ key: string }>(workerUrl, `/api/tenants/${tenant}/keys`, {
      key: secrets.adminKey,
      body: { label: 'local stack: backend stand-in' },
    });
    if (minted.status !== 201) {
      throw new Error(`the worker refused a key for ${tenant}: ${errorCode(minted)}`);
    }
    tenantKey = minted.body.key;
    secrets = withTenantKey(secrets, tenant, tenantKey);
    await saveSecrets(options.dataDir, secrets);
  }
  return { secrets, tenantKey, session: created.body };
}

/** An admin token for the inspection dashboard, minted by the worker for its admin key. */
export async function mintAdminToken(
  workerUrl: string,
  adminKey: string,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const answer = await callJson<{ token: string; expiresAt: number }>(
    workerUrl,
    '/api/tunnel/tokens',
    { key: adminKey, body: { role: 'admin', tenantId: '*', ttlSeconds } },
  );
  if (answer.status !== 200) {
    throw new Error(`the worker refused an admin token: ${errorCode(answer)}`);
  }
  return answer.body;
}

/** The simulated customer: a contact of the stand-in, made fresh with every stand-in. */
export async function createContact(
  controlUrl: string,
  name: string,
): Promise<{ name: string; phone: string }> {
  const answer = await callJson<{ phone: string; name: string }>(controlUrl, '/contacts', {
    body: { name },
  });
  if (answer.status !== 200 && answer.status !== 201) {
    throw new Error(`the stand-in refused a contact: ${errorCode(answer)}`);
  }
  return { name: answer.body.name, phone: answer.body.phone };
}
