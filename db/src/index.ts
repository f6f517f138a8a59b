export { createDatabase, dumpEmbedded, postgisVersion, type Database, type DatabaseOptions, type Engine } from './database.ts';
export { migrateToLatest } from './migrate.ts';
export type * from './schema.ts';
