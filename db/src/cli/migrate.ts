import { migrateToLatest, openForCommand } from '../index.ts';

const database = await openForCommand(
  'migrate',
  { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' },
  'Stop it first, then run this again; the server also applies new migrations itself when it starts.',
);
try {
  const applied = await migrateToLatest(database.db as never);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await database.close();
}
