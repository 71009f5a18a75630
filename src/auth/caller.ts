import { INSTANCE_SCOPE } from '../database/entities/membership.entity.js';
import { Permission, roleGrants } from './permissions.js';

/** The authenticated principal of a request. */
export class Caller {
  constructor(
    readonly userId: string,
    /** The organisation that owns the caller. */
    readonly orgId: string,
    readonly tokenId: string,
    /** Roles by scope: an organisation ID, or the instance scope. */
    readonly memberships: ReadonlyMap<string, readonly string[]>,
  ) {}

  get isInstanceMember(): boolean {
    return this.memberships.has(INSTANCE_SCOPE);
  }

  /** Whether the caller is a member of the organisation at all (or of the instance). */
  isMemberOf(orgId: string): boolean {
    return this.isInstanceMember || this.memberships.has(orgId);
  }

  can(permission: Permission, orgId: string): boolean {
    const instance = this.memberships.get(INSTANCE_SCOPE);
    if (instance && roleGrants(instance, permission)) return true;
    const org = this.memberships.get(orgId);
    return !!org && roleGrants(org, permission);
  }
}
