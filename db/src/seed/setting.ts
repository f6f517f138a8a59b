import type { Kysely } from 'kysely';
import type { DB } from '../schema.ts';

/** What the `demo` setting records of the seeded demo: how it was made and the day its time line ends on. */
export interface DemoSetting {
  seed: number;
  problems: number;
  version: number;
  /** The day the demo's time line ends on (timeline.ts). */
  anchor: string;
}

export async function demoSetting(db: Kysely<DB>): Promise<Partial<DemoSetting> | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'demo').executeTakeFirst();
  const value = typeof row?.value === 'string' ? (JSON.parse(row.value) as unknown) : row?.value;
  return value && typeof value === 'object' ? (value as Partial<DemoSetting>) : undefined;
}

