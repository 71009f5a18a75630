import { Injectable } from '@nestjs/common';
import { Errors, notFound } from '../common/errors/app-error.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import type { AccessRequirement } from '../common/request/operation.js';
import { Caller } from './caller.js';
import { Permission } from './permissions.js';

export interface UserAccess {
  permission: Permission;
  /** Whether acting on oneself is enough without the permission. */
  self: boolean;
}

/**
 * The authorisation rules of spec §3, shared by every transport: a missing user and a user in
 * an organisation the caller has no membership in look the same (404 COMMAND-ieJ2e); a member
 * without the permission gets 403 AUTH-AWfge.
 */
@Injectable()
export class AccessService {
  constructor(private readonly users: UsersRepository) {}

  /** Loads the target user (human, not deleted) and checks the caller may act on it. */
  async checkUser(caller: Caller | undefined, userId: string, access: UserAccess | null): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user || user.state === 'deleted' || user.type !== 'human') throw Errors.userNotFound();
    if (access === null) return user;
    if (!caller) throw Errors.unauthenticated();
    if (access.self && caller.userId === user.id) return user;
    if (caller.can(access.permission, user.orgId)) return user;
    if (caller.userId !== user.id && !caller.isMemberOf(user.orgId)) throw Errors.userNotFound();
    throw Errors.permissionDenied();
  }

  /** An operation's access requirement, as every transport checks it (AccessGuard, Connect). */
  async check(caller: Caller, need: AccessRequirement): Promise<void> {
    if ('user' in need) await this.checkUser(caller, need.user, need.access);
    else if ('org' in need) this.checkOrg(caller, need.org, need.permission);
    else this.checkInstance(caller, need.instance);
  }

  /** Checks the caller holds the permission in the organisation (404 for outsiders, as for users). */
  checkOrg(caller: Caller, orgId: string, permission: Permission): void {
    if (caller.can(permission, orgId)) return;
    if (!caller.isMemberOf(orgId)) throw notFound('AUTHZ-cdgFk', 'membership not found');
    throw Errors.permissionDenied();
  }

  /** Instance-wide permissions (creating organisations, mail administration). */
  checkInstance(caller: Caller, permission: Permission): void {
    if (!caller.can(permission, '')) throw Errors.permissionDenied();
  }
}
