export { createDatabase, dumpEmbedded, postgisVersion, type Database, type DatabaseOptions, type Engine } from './database.ts';
export { DataDirLockedError, lockDataDir, type DataDirLock, type LockHolder } from './data-dir-lock.ts';
export { openForCommand, STOP_IT_FIRST } from './open-for-command.ts';
export { migrateToLatest } from './migrate.ts';
export type * from './schema.ts';
export { hashPassword, verifyPassword, decoyHash, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './passwords.ts';
export { archiveKind, backup, backupEmbedded, backupPostgres, restore, restoreEmbedded, restorePostgres, type ArchiveKind, type BackupOptions, type BackupResult, type RestoreResult } from './backup.ts';
export { chinaDay } from './seed/timeline.ts';
