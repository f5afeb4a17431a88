/**
 * What the API keeps across restarts, over the auth store's own database:
 * SQLite (`SqliteRecordStore`) or PostgreSQL (`PgRecordStore`).
 */
export type * from './types.js';
export { SqliteRecordStore } from './sqlite.js';
export { PgRecordStore } from './pg.js';
