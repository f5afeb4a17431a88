import { afterAll } from 'vitest';
import { PgRecordStore } from '../../src/records/index.js';
import { openPostgres, type PgDatabase } from '../../src/store/index.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/pg.js';
import { recordStoreContract } from './contract.js';

const opened: PgDatabase[] = [];

afterAll(async () => {
  for (const database of opened) {
    await database.close();
    await dropSchema(database.schema);
  }
});

recordStoreContract('PostgreSQL', async () => {
  const database = await openPostgres({
    connectionString: TEST_DATABASE_URL,
    schema: uniqueSchema('records'),
  });
  opened.push(database);
  return new PgRecordStore(database);
});
