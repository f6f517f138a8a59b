import { sql } from 'kysely';
import type { OrganisationKind } from '../schema.ts';
import { mobilePhone, personName } from './names.ts';
import type { StreetKey } from './places.ts';
import type { Rng } from './random.ts';
import { exec, json, type Tx } from './sql-helpers.ts';
import type { Territory } from './territory.ts';

/**
 * The organisation tree and its people: the district government with its
 * leaders, departments, street offices with their communities and town
 * sanitation services, and the city-level units (the city sanitation
 * service with its work teams). Ids are assigned here, in insertion order.
 */
export interface Person {
  id: number;
  name: string;
  title: string;
  phone: string;
  orgId: number;
}

export interface Org {
  id: number;
  parentId: number | null;
  name: string;
  kind: OrganisationKind;
  territoryId: number | null;
  people: Person[];
}

export interface Organisations {
  all: Org[];
  people: Person[];
  leadership: Org;
  departments: Map<string, Org>;
  streetOffices: Map<StreetKey, Org>;
  /** Community organisations by community territory id. */
  communities: Map<number, Org>;
  townSanitation: Map<StreetKey, Org>;
  citySanitation: Org;
  sanitationTeams: Org[];
  cityUnits: Map<string, Org>;
}

export const DEPARTMENTS = [
  '区创城办', '区城管局', '区住建局', '区市场监管局', '区教育局', '区卫健局', '区交通运输局', '区商务局', '区文广体旅局',
  '区民政局', '区生态环境分局', '公安象山分局', '区水利局',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

const LEADER_TITLES = [
  '区委书记', '区长', '区委副书记', '常务副区长', '副区长', '副区长', '副区长', '副区长', '区委常委、宣传部部长',
  '区委常委、组织部部长', '区委常委、政法委书记', '区委常委、区委办主任', '区委常委、统战部部长',
];

export async function seedOrganisations(db: Tx, territory: Territory, rng: Rng): Promise<Organisations> {
  const all: Org[] = [];
  const people: Person[] = [];
  const phones = new Set<string>();
  const org = (name: string, kind: OrganisationKind, parent: Org | null, territoryId: number | null = null): Org => {
    const o: Org = { id: all.length + 1, parentId: parent?.id ?? null, name, kind, territoryId, people: [] };
    all.push(o);
    return o;
  };
  const staff = (o: Org, titles: readonly string[]) => {
    for (const title of titles) {
      const p: Person = { id: 0, name: personName(rng), title, phone: mobilePhone(rng, phones), orgId: o.id };
      o.people.push(p);
    }
  };
  const some = (title: string, min: number, max: number) => Array.from({ length: rng.int(min, max) }, () => title);

  const government = org('象山区人民政府', 'other', null, territory.district.id);
  const leadership = org('区领导', 'leadership', government, territory.district.id);
  staff(leadership, LEADER_TITLES.slice(0, rng.int(11, LEADER_TITLES.length)));

  const departments = new Map<string, Org>();
  for (const name of DEPARTMENTS) {
    const d = org(name, 'department', government);
    departments.set(name, d);
    if (name === '区创城办') staff(d, ['主任', '副主任', '副主任', '督查组组长', ...some('督查员', 2, 3)]);
    else if (name === '区城管局') staff(d, ['局长', '副局长', '副局长', '市容科科长', '执法中队长', ...some('执法队员', 3, 5)]);
    else staff(d, ['局长', '副局长', ...some('科长', 1, 2), ...some('科员', 1, 2)]);
  }

  const streetOffices = new Map<StreetKey, Org>();
  const townSanitation = new Map<StreetKey, Org>();
  const communities = new Map<number, Org>();
  for (const street of territory.streets) {
    const office = org(`${street.name}办事处`, 'street', government, street.id);
    streetOffices.set(street.key, office);
    staff(office, ['党工委书记', '主任', '副主任', '副主任', '城管办主任', '网格化服务管理中心主任', ...some('工作人员', 1, 3)]);
    for (const community of territory.communities.filter((c) => c.parentId === street.id)) {
      const c = org(community.name.endsWith('村') ? `${community.name}村民委员会` : `${community.name}居民委员会`, 'community', office, community.id);
      communities.set(community.id, c);
      staff(c, [community.name.endsWith('村') ? '党总支书记、村委会主任' : '党委书记、居委会主任', '副主任', ...some('专职网格员', 2, 4)]);
    }
    const sanitation = org(`${street.name.replace('街道', '')}街道环卫所`, 'sanitation_town', office, street.id);
    townSanitation.set(street.key, sanitation);
    staff(sanitation, ['所长', '副所长', '保洁队长', ...some('保洁员', 1, 2)]);
  }

  const city = org('桂林市（市直单位）', 'other', null);
  const cityUnits = new Map<string, Org>();
  for (const name of ['桂林市城管委', '桂林市园林局', '桂林市市政管理处', '桂林市交警支队象山大队']) {
    const u = org(name, 'city_unit', city);
    cityUnits.set(name, u);
    staff(u, [name.endsWith('大队') ? '大队长' : name.endsWith('处') ? '处长' : '主任', '副主任', '科长', ...some('工作人员', 1, 2)]);
  }
  const cityManagement = cityUnits.get('桂林市城管委') as Org;
  const citySanitation = org('桂林市环境卫生管理处', 'sanitation_city', cityManagement);
  staff(citySanitation, ['处长', '副处长', '道路保洁科科长', '调度员']);
  const sanitationTeams = ['中山路保洁班组', '南环路保洁班组', '机械化清扫班组'].map((name) => {
    const team = org(name, 'sanitation_city', citySanitation);
    staff(team, ['班组长', ...some('保洁员', 2, 3)]);
    return team;
  });

  await exec(db, sql`
    INSERT INTO organisations (id, parent_id, name, kind, territory_id)
    SELECT id, parent_id, name, kind, territory_id
    FROM json_to_recordset(${json(all.map((o) => ({ id: o.id, parent_id: o.parentId, name: o.name, kind: o.kind, territory_id: o.territoryId })))})
         AS o(id integer, parent_id integer, name text, kind text, territory_id integer)
    ORDER BY id`);
  for (const o of all) {
    for (const p of o.people) {
      p.id = people.length + 1;
      people.push(p);
    }
  }
  await exec(db, sql`
    INSERT INTO people (id, name, phone, title, organisation_id)
    SELECT id, name, phone, title, organisation_id
    FROM json_to_recordset(${json(people.map((p) => ({ id: p.id, name: p.name, phone: p.phone, title: p.title, organisation_id: p.orgId })))})
         AS p(id integer, name text, phone text, title text, organisation_id integer)
    ORDER BY id`);
  await syncIdentity(db, 'organisations');
  await syncIdentity(db, 'people');

  return { all, people, leadership, departments, streetOffices, communities, townSanitation, citySanitation, sanitationTeams, cityUnits };
}

/** After inserting explicit ids, move the identity on so the next insert does not collide. */
export async function syncIdentity(db: Tx, table: string): Promise<void> {
  await exec(db, sql`
    SELECT setval(pg_get_serial_sequence(${table}, 'id'), coalesce((SELECT max(id) FROM ${sql.table(table)}), 0) + 1, false)`);
}
