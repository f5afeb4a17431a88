import { afterAll, describe, it } from 'vitest';
import { createPgAuthStore, openPostgres } from '../../src/store/index.js';
import { TEST_DATABASE_URL, dropSchema, queryRows, uniqueSchema } from '../helpers/pg.js';
import { RUNS, crashRuns, type KeyRow } from './crash-runs.js';

describe('the PostgreSQL store killed with SIGKILL mid-write', () => {
  const schema = uniqueSchema('crash');
  afterAll(() => dropSchema(schema));

  it(`loads consistent after each of ${RUNS} kills`, { timeout: 600_000 }, async () => {
    await crashRuns(
      ['postgres', TEST_DATABASE_URL, schema],
      () =>
        queryRows<KeyRow>(
          `SELECT type, id, value FROM "${schema}".auth_keys WHERE tenant_id = 'crash'`,
        ),
      async () =>
        createPgAuthStore(
          await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
        ),
    );
  });
});
