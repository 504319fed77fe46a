import { IpAllowlist } from '../http/ip-allowlist';
import type { Principal, Role } from './principal';

/** Why a principal is refused a route: no required role, or admin-only from an address outside ADMIN_IP_ALLOWLIST. */
export type Refusal = 'role' | 'admin_ip';

/**
 * The one rule of who may call a route requiring `required` roles (RolesGuard, and the hot routes
 * served without Nest's guards): a principal holding one of them, and a caller let in only by the
 * admin role must also come from `ADMIN_IP_ALLOWLIST` (when set).
 */
export class RoleAdmission {
  private readonly adminIps: IpAllowlist;

  constructor(adminIpAllowlist: string[]) {
    this.adminIps = new IpAllowlist(adminIpAllowlist);
  }

  /** Undefined when admitted, else why not. */
  refusal(principal: Principal, required: Role[], clientIp: string): Refusal | undefined {
    const granted = required.filter((role) => principal.roles.includes(role));
    if (granted.length === 1 && granted[0] === 'admin' && !this.adminIps.allows(clientIp)) return 'admin_ip';
    return granted.length > 0 ? undefined : 'role';
  }
}
