import { createDatabase, migrateToLatest } from '../index.ts';

const database = await createDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' });
try {
  const applied = await migrateToLatest(database.db as never);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await database.close();
}
