import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CREDS_FILE, parseKeyFileName } from '../../store/import/file-names.js';
import type { RouteRegistry } from '../registry.js';
import { tenantParams } from '../schemas.js';
import type { ApiServices } from '../services.js';

// A file name of a Baileys multi-file auth folder, and nothing that could
// leave the temporary folder it is written to.
const fileName = z
  .string()
  .regex(/^[A-Za-z0-9._@=+-]{1,200}$/, 'is not a plain file name')
  .refine((name) => name === CREDS_FILE || parseKeyFileName(name) !== undefined, {
    message: 'is not creds.json or a key file of a Baileys auth folder',
  });

/** Auth-folder import: a restaurant paired elsewhere moves over without a new scan. */
export function registerImportRoute(api: RouteRegistry, services: ApiServices): void {
  api.register({
    method: 'post',
    path: '/api/baileys/sessions/{tenantId}/import',
    operationId: 'importAuthFolder',
    summary: 'Import a Baileys multi-file auth folder and start the session',
    description:
      'The files of a `useMultiFileAuthState` folder, by name, with their JSON text. Every file ' +
      'is checked before anything is written, and the write is all or nothing. A tenant with a ' +
      'paired account is refused unless `replace` is true.',
    tags: ['sessions'],
    access: 'admin',
    params: tenantParams,
    body: z.strictObject({
      files: z
        .record(fileName, z.string().max(1_000_000))
        .refine((files) => CREDS_FILE in files, { message: 'must include creds.json' }),
      replace: z.boolean().default(false),
    }),
    responses: {
      200: {
        description: 'What was imported.',
        schema: z.object({
          tenantId: z.string(),
          account: z.string(),
          keys: z.record(z.string(), z.number()),
        }),
      },
    },
    handler: async ({ c, params, body }) => {
      const folder = await mkdtemp(join(tmpdir(), 'pasarela-import-'));
      try {
        for (const [name, text] of Object.entries(body.files)) {
          await writeFile(join(folder, name), text, { mode: 0o600 });
        }
        const result = await services.manager.importFolder(params.tenantId, folder, {
          replace: body.replace,
        });
        return c.json({ tenantId: params.tenantId, account: result.account, keys: result.keys });
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  });
}
