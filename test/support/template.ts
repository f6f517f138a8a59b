import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { createDatabase, type Database, dumpEmbedded, migrateToLatest } from '@civgrid/db';
import { seedDemo } from '@civgrid/db/seed';
import { sql } from 'kysely';
import postgres from 'postgres';
import { extract, pack } from 'tar-stream';

export type TemplateRef =
  | { engine: 'embedded'; file: string }
  | { engine: 'postgres'; url: string; database: string };

const root = resolve(import.meta.dirname, '../..');

/** Hash of everything that shapes the template: migrations, seed code and data, and how this file builds it. */
function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(import.meta.filename));
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
      writeFileSync(`${file}.part`, await compactDump(database));
      renameSync(`${file}.part`, file);
    } finally {
      await database.close();
    }
  }
  return { engine: 'embedded', file };
}

/**
 * The data dir of an embedded database as a tar, without the WAL it does not
 * need. After a CHECKPOINT, recovery reads only the segment holding the redo
 * point; the others are history or empty segments recycled for later, 16 MB
 * each (80 of the 141 MB dump). Every test file loads this archive, and
 * PGlite's load time grows with its size.
 */
async function compactDump(database: Database): Promise<Buffer> {
  await sql`CHECKPOINT`.execute(database.db);
  const { rows } = await sql<{ redo: string }>`SELECT redo_wal_file AS redo FROM pg_control_checkpoint()`.execute(database.db);
  const redo = rows[0]?.redo;
  if (!redo) throw new Error('no checkpoint to compact the template dump at');
  const blob = await dumpEmbedded(database);
  const input = extract();
  const output = pack();
  const done = buffer(output);
  input.on('entry', (header, stream, next) => {
    const segment = /(?:^|\/)pg_wal\/([0-9A-F]{24})$/.exec(header.name)?.[1];
    if (segment !== undefined && segment !== redo) {
      stream.on('end', next).resume();
      return;
    }
    stream.pipe(output.entry(header, next));
  });
  await pipeline(Readable.from(Buffer.from(await blob.arrayBuffer())), input);
  output.finalize();
  return done;
}
