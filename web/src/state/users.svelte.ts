import { adminApi, api } from '../api/client.ts';
import { type OrganisationOption, type Role, TERRITORY_LEVELS, type Territory, type User } from '../api/types.ts';

/** The create-user form as typed so far; it outlives the panel being closed. */
export interface UserDraft {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  territoryId: number | null;
  organisation: OrganisationOption | null;
}

export const emptyDraft = (): UserDraft => ({
  username: '', displayName: '', password: '', role: 'viewer', territoryId: null, organisation: null,
});

/** 用户管理: the accounts an admin may manage, the territories they may scope them to, the form being typed. */
export class UserAdmin {
  users = $state.raw<User[]>([]);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  territories = $state.raw<Territory[]>([]);
  formOpen = $state(false);
  draft = $state<UserDraft>(emptyDraft());

  async load(signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const { users } = await adminApi.users(signal);
      this.users = users;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  /** Every district, street and community, for the scope picker (once). */
  async loadTerritories(signal: AbortSignal): Promise<void> {
    if (this.territories.length > 0) return;
    const lists = await Promise.all(TERRITORY_LEVELS.map((level) => api.territories(level, signal)));
    this.territories = lists.flatMap((list) => list.territories);
  }

  /** Territories inside `scope` (itself included): what an admin scoped there may give out. */
  within(scopeId: number): Territory[] {
    const inside = new Set([scopeId]);
    // parents come before children: districts, then streets, then communities
    for (const territory of this.territories) {
      if (territory.parentId !== null && inside.has(territory.parentId)) inside.add(territory.id);
    }
    const list = this.territories.filter((territory) => inside.has(territory.id));
    return list.length > 0 ? list : this.territories;
  }

  replace(user: User): void {
    this.users = this.users.some((u) => u.id === user.id) ? this.users.map((u) => (u.id === user.id ? user : u)) : [...this.users, user];
  }
}
