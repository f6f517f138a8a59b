import type { DutyOwners, ResponsibilityRepository, TerritoryChain } from '../repositories/responsibility.repository.ts';

export type OwnershipStatus = 'none' | 'single' | 'multiple';

export interface Responsibility {
  lon: number;
  lat: number;
  territory: TerritoryChain;
  duties: (DutyOwners & { status: OwnershipStatus })[];
}

/** 0 owners is a blind spot (管理盲区), several is a dispute (推诿扯皮) waiting to happen. */
export function ownershipStatus(owners: number): OwnershipStatus {
  return owners === 0 ? 'none' : owners === 1 ? 'single' : 'multiple';
}

export class ResponsibilityService {
  constructor(private readonly repository: ResponsibilityRepository) {}

  async at(lon: number, lat: number): Promise<Responsibility> {
    const [territory, duties] = await Promise.all([this.repository.territoryAt(lon, lat), this.repository.ownersAt(lon, lat)]);
    return {
      lon,
      lat,
      territory,
      duties: duties.map((d) => ({ ...d, status: ownershipStatus(d.owners.length) })),
    };
  }
}
