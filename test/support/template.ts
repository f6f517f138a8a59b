import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase, dumpEmbedded, migrateToLatest } from '@civgrid/db';
import { seedDemo } from '@civgrid/db/seed';
import postgres from 'postgres';

export type TemplateRef =
  | { engine: 'embedded'; file: string }
  | { engine: 'postgres'; url: string; database: string };

const root = resolve(import.meta.dirname, '../..');

/** Hash of everything that shapes the template: migrations, seed code and data. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.test.ts')) hash.update(name).update(readFileSync(path));
    }
  };
  walk(join(root, 'db/src'));
  if (existsSync(join(root, 'db/data'))) walk(join(root, 'db/data'));
  return hash.digest('hex').slice(0, 12);
}

export async function prepareTemplate(): Promise<TemplateRef> {
  const hash = sourceHash();
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `civgrid_template_${hash}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const exists = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (exists.length === 0) {
        const building = `${name}_building`;
        await admin.unsafe(`DROP DATABASE IF EXISTS ${building}`);
        await admin.unsafe(`CREATE DATABASE ${building}`);
        const target = new URL(url);
        target.pathname = `/${building}`;
        const database = await createDatabase({ url: target.toString(), max: 2 });
        try {
          await migrateToLatest(database.db as never);
          await seedDemo(database.db);
        } finally {
          await database.close();
        }
        await admin.unsafe(`ALTER DATABASE ${building} RENAME TO ${name}`);
      }
    } finally {
      await admin.end();
    }
    return { engine: 'postgres', url, database: name };
  }
  const dir = join(root, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `template-embedded-${hash}.tar`);
  if (!existsSync(file)) {
    const database = await createDatabase({});
    try {
      await migrateToLatest(database.db as never);
      await seedDemo(database.db);
      const blob = await dumpEmbedded(database);
      writeFileSync(`${file}.part`, Buffer.from(await blob.arrayBuffer()));
      renameSync(`${file}.part`, file);
    } finally {
      await database.close();
    }
  }
  return { engine: 'embedded', file };
}
