import { afterAll, beforeEach, describe } from 'vitest';
import { createPgAuthStore, openPostgres } from '../../src/store/index.js';
import { describeAuthStore } from './contract.js';
import { TEST_DATABASE_URL, dropSchema, queryRows, uniqueSchema } from '../helpers/pg.js';

describe('PostgreSQL auth store', () => {
  const schemas: string[] = [];
  let schema = '';

  beforeEach(() => {
    schema = uniqueSchema('store');
    schemas.push(schema);
  });
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  describeAuthStore({
    open: async () =>
      createPgAuthStore(
        await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 3 }),
      ),
    credsVersion: async (tenant) => {
      const rows = await queryRows<{ v: string }>(
        `SELECT creds_version AS v FROM "${schema}".auth_tenants WHERE tenant_id = $1`,
        [tenant],
      );
      return Number(rows[0]?.v);
    },
  });
});
