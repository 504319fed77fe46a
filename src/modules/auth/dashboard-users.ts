import type { Principal } from '../../common/auth/principal';

/** What a verified JWT subject is on the dashboard: a PM, a realtor, or nobody (no roles). */
export type DashboardIdentity = Pick<Principal, 'roles' | 'propertyManagerId' | 'realtorId' | 'realtorPropertyManagerId'>;

/**
 * The port through which auth learns who a JWT subject is. The directory (people) implements it;
 * auth does not depend on the directory, the directory depends on auth.
 */
export abstract class DashboardUsers {
  abstract findDashboardUser(authUserId: string): Promise<DashboardIdentity>;
}
