/**
 * `pnpm db:backup` / `pnpm db:restore` on the engine the suite runs on: a
 * backup of a changed database, restored into a different new one, holds every
 * table, row and geometry; bad files are refused before anything is touched.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  archiveKind,
  backupEmbedded,
  backupPostgres,
  createDatabase,
  type Database,
  type DB,
  restoreEmbedded,
  restorePostgres,
} from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../support/database.ts';

const template = inject('template');
const work = mkdtempSync(join(tmpdir(), 'civgrid-backup-test-'));
const created: string[] = []; // PostgreSQL databases this file made

let source: Database;
let sourceUrl = ''; // PostgreSQL only
let before: Snapshot;
let backupFile = '';
let restoredTarget = ''; // where the first test restored to
let zoneId = 0;

type Snapshot = Record<string, { rows: number; digest: string | null }>;

/**
 * Every public table with its row count and an md5 of all its rows as text
 * (geometries included, as hex EWKB, so a moved vertex changes the digest).
 */
async function snapshot(db: Kysely<DB>): Promise<Snapshot> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(db);
  const result: Snapshot = {};
  for (const { name } of tables) {
    const { rows } = await sql<{ rows: number; digest: string | null }>`
      SELECT count(*)::int AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM ${sql.table(name)} t`.execute(db);
    result[name] = rows[0]!;
  }
  return result;
}

const admin = () => postgres(template.engine === 'postgres' ? template.url : '', { max: 1, onnotice: () => {} });

function urlOf(database: string): string {
  if (template.engine !== 'postgres') throw new Error('PostgreSQL only');
  const url = new URL(template.url);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new, empty place to restore into: a data dir that does not exist yet, or an empty database. */
async function newTarget(label: string): Promise<string> {
  if (template.engine === 'embedded') return join(work, `data-${label}`);
  const name = `civgrid_restore_${process.pid}_${Date.now().toString(36)}_${label}`;
  const client = admin();
  try {
    await client.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  created.push(name);
  return urlOf(name);
}

const backupSource = (file: string, force?: boolean) =>
  template.engine === 'embedded' ? backupEmbedded(source, file, { force }) : backupPostgres(sourceUrl, file, { force });

const restoreInto = (target: string, file: string, force?: boolean) =>
  template.engine === 'embedded' ? restoreEmbedded(target, file, { force }) : restorePostgres(target, file);

const open = (target: string) => createDatabase(template.engine === 'embedded' ? { dataDir: target } : { url: target, max: 2 });

beforeAll(async () => {
  source = await freshDatabase();
  if (template.engine === 'postgres') {
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(source.db);
    sourceUrl = urlOf(rows[0]!.name);
  }
  // changes made after the seed, which only a real backup can carry over
  const zone = await source.db.selectFrom('zones').select('id').orderBy('id').executeTakeFirstOrThrow();
  zoneId = zone.id;
  await sql`UPDATE zones SET name = '备份后恢复的责任区', geom = ST_Translate(geom, 0.0001, 0) WHERE id = ${zoneId}`.execute(source.db);
  await sql`INSERT INTO audit_log (actor, action, entity, entity_id, after)
            VALUES ('backup-test', 'update', 'zone', ${String(zoneId)}, '{"name": "备份后恢复的责任区"}')`.execute(source.db);
  before = await snapshot(source.db);
});

afterAll(async () => {
  await source?.close();
  if (created.length > 0) {
    const client = admin();
    try {
      for (const name of created) await client.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
  rmSync(work, { recursive: true, force: true });
});

describe(`backup and restore (${template.engine} engine)`, () => {
  it('restores into a new database with the same tables, rows, geometries and recent changes', { timeout: 180_000 }, async () => {
    backupFile = join(work, template.engine === 'embedded' ? 'civgrid.tar.gz' : 'civgrid.dump');
    const made = await backupSource(backupFile);
    expect(made.bytes).toBeGreaterThan(100_000);
    expect(archiveKind(backupFile)).toBe(template.engine === 'embedded' ? 'embedded-gzip' : 'pg_dump');
    expect(existsSync(`${backupFile}.partial`)).toBe(false);

    const target = await newTarget('main');
    restoredTarget = target;
    const restored = await restoreInto(target, backupFile);
    expect(restored.tables).toBe(Object.keys(before).length);
    expect(restored.movedAside).toBeUndefined();

    const copy = await open(target);
    try {
      // the same set of tables, row counts and content, table by table
      expect(await snapshot(copy.db)).toEqual(before);
      expect(Object.keys(before)).toEqual(expect.arrayContaining(['zones', 'problems', 'audit_log', 'territories', 'civgrid_migrations']));
      expect(before['problems']!.rows).toBeGreaterThan(0);

      const zone = await copy.db.selectFrom('zones').select('name').where('id', '=', zoneId).executeTakeFirstOrThrow();
      expect(zone.name).toBe('备份后恢复的责任区');
      const audit = await copy.db.selectFrom('audit_log').selectAll().where('actor', '=', 'backup-test').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.entity_id).toBe(String(zoneId));

      // sequences came back too: a new row does not collide with a restored one
      const { rows } = await sql<{ id: number; max: number }>`
        WITH added AS (INSERT INTO audit_log (action, entity) VALUES ('check', 'backup') RETURNING id)
        SELECT (SELECT id FROM added) AS id, (SELECT max(id) FROM audit_log) AS max`.execute(copy.db);
      expect(rows[0]!.id).toBeGreaterThan(rows[0]!.max);
    } finally {
      await copy.close();
    }
  });

  it('restores over a database that has changed since, leaving the embedded one aside', { timeout: 120_000 }, async () => {
    expect(restoredTarget).not.toBe(''); // made by the first test, which also added a row to it
    if (template.engine === 'embedded') {
      await expect(restoreEmbedded(restoredTarget, backupFile)).rejects.toThrow(/is not empty; pass --force/);
      const again = await restoreEmbedded(restoredTarget, backupFile, { force: true });
      expect(again.movedAside).toMatch(/\.before-restore-\d{8}T\d{6}Z$/);
      expect(existsSync(join(again.movedAside!, 'PG_VERSION'))).toBe(true);
      expect(again.tables).toBe(Object.keys(before).length);
      return;
    }
    // PostGIS and the tables exist now: the restore replaces the tables (with --force) and keeps the extension
    await expect(restorePostgres(restoredTarget, backupFile)).rejects.toThrow(/already has \d+ tables.*--force/);
    const live = postgres(restoredTarget, { max: 1, onnotice: () => {} });
    const [{ v: versionBefore } = { v: 0 }] = await live<{ v: number }[]>`SELECT max(version)::int AS v FROM layer_versions`;
    await live`INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) SELECT 'x', min(id), 'y', now() + interval '1 hour' FROM users`;
    await live.end();
    await restorePostgres(restoredTarget, backupFile, { force: true });
    const copy = await open(restoredTarget);
    try {
      const after = await snapshot(copy.db);
      // sessions are ended and layer versions moved past the ones servers saw: those two differ on purpose
      const { sessions: _s, layer_versions: _l, ...rest } = after;
      const { sessions: _s2, layer_versions: _l2, ...expected } = before;
      expect(rest).toEqual(expected);
      const sessions = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sessions`.execute(copy.db);
      expect(sessions.rows[0]!.n).toBe(0);
      const versions = await sql<{ v: number }>`SELECT min(version)::int AS v FROM layer_versions`.execute(copy.db);
      expect(versions.rows[0]!.v).toBeGreaterThan(versionBefore);
    } finally {
      await copy.close();
    }
  });

  it('refuses to overwrite an existing file unless forced', { timeout: 120_000 }, async () => {
    const file = join(work, 'existing.bak');
    writeFileSync(file, 'keep me');
    await expect(backupSource(file)).rejects.toThrow(/already exists; pass --force/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');

    await backupSource(file, true);
    expect(archiveKind(file)).toBe(template.engine === 'embedded' ? 'embedded-gzip' : 'pg_dump');
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('refuses empty, garbage and truncated files and leaves the target as it was', { timeout: 120_000 }, async () => {
    expect(backupFile).not.toBe(''); // made by the first test
    const garbage = join(work, 'garbage.bak');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    const empty = join(work, 'empty.bak');
    writeFileSync(empty, '');
    const truncated = join(work, `truncated-${template.engine}.bak`);
    const whole = readFileSync(backupFile);
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));

    if (template.engine === 'embedded') {
      const target = join(work, 'data-kept');
      mkdirSync(target);
      writeFileSync(join(target, 'keep.txt'), 'as it was');
      await expect(restoreEmbedded(target, garbage, { force: true })).rejects.toThrow(/is not a backup/);
      await expect(restoreEmbedded(target, empty, { force: true })).rejects.toThrow(/is empty/);
      await expect(restoreEmbedded(target, truncated, { force: true })).rejects.toThrow(/damaged.*nothing was changed/);
      expect(readdirSync(target)).toEqual(['keep.txt']);
      // nothing staged or moved aside next to it
      expect(readdirSync(work).filter((name) => name.startsWith('data-kept'))).toEqual(['data-kept']);
      return;
    }

    const target = await newTarget('kept');
    const check = postgres(target, { max: 1, onnotice: () => {} });
    try {
      await check`CREATE TABLE keep (x int)`;
      await check`INSERT INTO keep VALUES (1)`;
      await expect(restorePostgres(target, garbage, { force: true })).rejects.toThrow(/is not a backup/);
      await expect(restorePostgres(target, empty, { force: true })).rejects.toThrow(/is empty/);
      // a database with tables is only replaced when asked
      await expect(restorePostgres(target, backupFile)).rejects.toThrow(/already has 1 table, .*--force/);
      // pg_restore reads the table of contents, then fails in the data: one transaction, rolled back
      await expect(restorePostgres(target, truncated, { force: true })).rejects.toThrow(/pg_restore failed.*not changed/);
      const tables = await check<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
      expect(tables.map((t) => t.name)).toEqual(['keep']);
      expect(await check`SELECT 1 FROM pg_extension WHERE extname = 'postgis'`).toHaveLength(0);
      expect(await check`SELECT x FROM keep`).toEqual([{ x: 1 }]);
    } finally {
      await check.end();
    }
  });

  it("names the engine a backup belongs to when it is restored into the other one", async () => {
    const dump = join(work, 'fake.dump');
    writeFileSync(dump, Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(512)]));
    const never = join(work, 'data-never');
    await expect(restoreEmbedded(never, dump)).rejects.toThrow(/PostgreSQL pg_dump archive.*set DATABASE_URL/);
    expect(existsSync(never)).toBe(false);

    const tar = Buffer.alloc(1024);
    tar.write('ustar', 257, 'latin1');
    const dataDir = join(work, 'fake.tar.gz');
    writeFileSync(dataDir, gzipSync(tar));
    // refused before any connection: this server does not exist
    await expect(restorePostgres('postgres://nobody@127.0.0.1:1/none', dataDir)).rejects.toThrow(/embedded-engine backup.*unset DATABASE_URL/);
  });
});
