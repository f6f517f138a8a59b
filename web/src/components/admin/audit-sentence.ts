/**
 * An audit entry as a sentence a person reads ("张三 新建了责任区 三多社区第9网格"),
 * not as an action code: pure, given the words of the interface's language.
 */
export interface SentenceEntry {
  actor: string | null;
  actorName?: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export interface SentenceWords {
  /** Who did it when the trail names nobody (the system, the seed). */
  system: string;
  /** The verb of an action, e.g. `create` → "新建了". */
  did: (action: string) => string;
  /** The entity's noun, e.g. `zone` → "责任区". */
  entity: (entity: string) => string;
  /** "{actor} {did}{entity} {name}" in the interface's language. */
  sentence: (parts: { actor: string; did: string; entity: string; name: string }) => string;
  /** "{actor} {did}" for actions about the actor alone (signing in, the demo data). */
  bare: (parts: { actor: string; did: string }) => string;
}

/** Actions whose sentence names no object: the actor signs in or out, changes their own password, seeds the demo. */
const BARE = new Set(['login', 'logout', 'change_password', 'seed']);
/** Who the seed's and the system's entries name: nobody in particular. */
const SYSTEM_ACTORS = new Set(['seed', 'system']);

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** What an entry was about, by its name where the record has one, else its id. */
export function entryName(entry: Pick<SentenceEntry, 'before' | 'after' | 'entityId'>): string {
  for (const side of [record(entry.after), record(entry.before)]) {
    if (!side) continue;
    for (const field of ['name', 'displayName', 'username', 'code', 'fileName']) {
      const value = side[field];
      if (typeof value === 'string' && value.trim() !== '') return value;
    }
  }
  return entry.entityId ? `#${entry.entityId}` : '';
}

/** Who did it, as the log names them: the display name, else the username, else the system. */
export function actorName(entry: Pick<SentenceEntry, 'actor' | 'actorName'>, system: string): string {
  if (entry.actorName) return entry.actorName;
  if (!entry.actor || SYSTEM_ACTORS.has(entry.actor)) return system;
  return entry.actor;
}

export function auditSentence(entry: SentenceEntry, words: SentenceWords): string {
  const actor = actorName(entry, words.system);
  const did = words.did(entry.action);
  if (BARE.has(entry.action)) return words.bare({ actor, did });
  return words.sentence({ actor, did, entity: words.entity(entry.entity), name: entryName(entry) }).trim();
}

/** Whether an entry's record is the system's own notes (the seed's summary), not fields a person changed. */
export function isSystemNote(entry: Pick<SentenceEntry, 'action'>): boolean {
  return entry.action === 'seed';
}
