import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local stack's own secrets, made on the first run and kept in the
 * data folder (file mode 0600), so a restart reuses them: the room and the
 * worker keep trusting each other's tokens, the printed admin key stays
 * valid, and the restaurant's backend keeps its tenant key.
 */
export interface DevSecrets {
  readonly version: 1;
  /** TOKEN_KEYS: one key id and its secret, shared by the room and the worker. */
  readonly tokenKeyId: string;
  readonly tokenSecret: string;
  /** PASARELA_ADMIN_KEY of the worker. */
  readonly adminKey: string;
  /** Tenant API keys by tenant id, minted by the worker the first time the tenant runs. */
  readonly tenantKeys: Readonly<Record<string, string>>;
}

export const SECRETS_FILE = 'secrets.json';

/** `{"<key id>": "<secret>"}`, as the room and the worker read TOKEN_KEYS. */
export function tokenKeysJson(secrets: DevSecrets): string {
  return JSON.stringify({ [secrets.tokenKeyId]: secrets.tokenSecret });
}

function fresh(): DevSecrets {
  return {
    version: 1,
    tokenKeyId: `dev-${randomBytes(3).toString('hex')}`,
    tokenSecret: randomBytes(32).toString('base64url'),
    adminKey: randomBytes(32).toString('base64url'),
    tenantKeys: {},
  };
}

function isSecrets(value: unknown): value is DevSecrets {
  const v = value as Partial<DevSecrets> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    typeof v.tokenKeyId === 'string' &&
    typeof v.tokenSecret === 'string' &&
    v.tokenSecret.length >= 32 &&
    typeof v.adminKey === 'string' &&
    v.adminKey.length >= 32 &&
    typeof v.tenantKeys === 'object' &&
    v.tenantKeys !== null
  );
}

/**
 * Reads the data folder's secrets, or makes and saves new ones. A file
 * that cannot be read as secrets is an error naming it, never replaced
 * silently: the worker's data was made with it.
 */
export async function loadSecrets(
  dataDir: string,
): Promise<{ secrets: DevSecrets; made: boolean }> {
  const file = join(dataDir, SECRETS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const secrets = fresh();
    await saveSecrets(dataDir, secrets);
    return { secrets, made: true };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!isSecrets(parsed)) {
    throw new Error(
      `${file} is not the local stack's secrets file; move it away (or delete the data ` +
        'folder to start over with a new QR)',
    );
  }
  return { secrets: parsed, made: false };
}

/** Writes atomically, readable by its owner only. */
export async function saveSecrets(dataDir: string, secrets: DevSecrets): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SECRETS_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

export function withTenantKey(secrets: DevSecrets, tenant: string, key: string): DevSecrets {
  return { ...secrets, tenantKeys: { ...secrets.tenantKeys, [tenant]: key } };
}
