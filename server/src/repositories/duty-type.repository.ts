import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';

export interface DutyType {
  id: string;
  /** Chinese name, the default interface language. */
  name: string;
  name_zh: string;
  name_en: string;
  description: string | null;
  color: string;
}

export class DutyTypeRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async list(): Promise<DutyType[]> {
    const rows = await this.db
      .selectFrom('duty_types')
      .select(['id', 'name_zh', 'name_en', 'description', 'color'])
      .orderBy('sort')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ ...r, name: r.name_zh }));
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('duty_types').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }
}
