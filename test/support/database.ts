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
  const clone = await clonePostgresTemplate();
  const database = await createDatabase({ url: clone.url, max: 4 });
  return {
    ...database,
    listen: database.listen,
    async close() {
      // a query still running when the file ends must not hold its teardown: after 10 s the
      // drop goes ahead, and WITH (FORCE) ends that query's connection
      await Promise.race([database.close(), new Promise<void>((done) => setTimeout(done, 10_000).unref())]);
      await clone.drop();
    },
  };
}

/**
 * On PostgreSQL: a database of its own cloned from the template, as a URL
 * that server processes can open themselves (test/integration/deploy.test.ts).
 * `drop()` ends any connection still open to it and drops it.
 */
export async function clonePostgresTemplate(): Promise<{ url: string; drop(): Promise<void> }> {
  const template = inject('template');
  if (template.engine !== 'postgres') throw new Error('clonePostgresTemplate needs DATABASE_URL (a PostgreSQL template)');
  const name = `civgrid_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = postgres(template.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template.database}`);
  } finally {
    await admin.end();
  }
  const target = new URL(template.url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const cleanup = postgres(template.url, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
