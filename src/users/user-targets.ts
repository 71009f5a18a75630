import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { authorizeUser } from '../auth/access.js';
import { Errors } from '../common/errors/app-error.js';
import { UserEntity } from '../database/entities/user.entity.js';
import type { Call } from '../pipeline/operation.js';
import { isLiveHuman, UsersRepository, UserWithRoles } from './users.repository.js';

/**
 * The target user of an operation, loaded once and authorised on that row (spec §7.1, §7.2):
 * inside a unit of work the row is locked, so nothing changes between the check and the write.
 */
@Injectable()
export class UserTargets {
  constructor(private readonly users: UsersRepository) {}

  /** The live human user the call acts on, locked inside `em`'s transaction, after the call's `user` rule. */
  async lock(em: EntityManager, call: Call<{ userId: string }>): Promise<UserEntity> {
    return this.authorize(call, await this.users.findWithRoles(em, call.input.userId));
  }

  /** The same for a read outside a transaction. */
  async read(call: Call<{ userId: string }>): Promise<UserEntity> {
    return this.authorize(call, await this.users.findWithRoles(null, call.input.userId));
  }

  /** Locks the user and returns it with its roles, without checking anything (the service decides). */
  async lockWithRoles(em: EntityManager, userId: string): Promise<UserWithRoles | null> {
    const found = await this.users.findWithRoles(em, userId);
    return found && isLiveHuman(found.user) ? found : null;
  }

  private authorize(call: Call<{ userId: string }>, found: UserWithRoles | null): UserEntity {
    const user = found && isLiveHuman(found.user) ? found.user : null;
    if (call.rule.kind === 'user') {
      if (!call.caller) throw Errors.unauthenticated();
      authorizeUser(call.caller, user && { id: user.id, orgId: user.orgId, memberships: found!.memberships }, call.rule);
    }
    if (!user) throw Errors.userNotFound();
    return user;
  }
}
