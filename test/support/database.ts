import { readFileSync } from 'node:fs';
import { type Database, createDatabase } from '@civgrid/db';
import postgres from 'postgres';
import { inject } from 'vitest';

let counter = 0;

/**
 * A database of its own for one test file, cloned from the migrated and seeded
 * template: a PGlite data-dir dump on the embedded engine, `CREATE DATABASE …
 * TEMPLATE` on PostgreSQL. Closing it drops the clone.
 */
export async function freshDatabase(): Promise<Database> {
  const template = inject('template');
  if (template.engine === 'embedded') {
    const blob = new Blob([readFileSync(template.file)]);
    return createDatabase({ loadDataDir: blob });
  }
  const name = `civgrid_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = postgres(template.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template.database}`);
  } finally {
    await admin.end();
  }
  const target = new URL(template.url);
  target.pathname = `/${name}`;
  const database = await createDatabase({ url: target.toString(), max: 4 });
  return {
    ...database,
    listen: database.listen,
    async close() {
      await database.close();
      const cleanup = postgres(template.url, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
