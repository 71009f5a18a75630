import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { authorizeUser, canRead } from '../auth/access.js';
import { AppError, Errors } from '../common/errors/app-error.js';
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

  /**
   * The live human user the call acts on, locked inside `em`'s transaction, after the call's
   * `user` rule. `hidden`: the answer for a user that is not there (missing, deleted, not human)
   * to a caller who cannot read it (§7.3), instead of 404.
   */
  async lock(em: EntityManager, call: Call<{ userId: string }>, hidden?: () => AppError): Promise<UserEntity> {
    return this.authorize(call, await this.users.findWithRoles(em, call.input.userId), hidden);
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

  private authorize(call: Call<{ userId: string }>, found: UserWithRoles | null, hidden?: () => AppError): UserEntity {
    const user = found && isLiveHuman(found.user) ? found.user : null;
    if (call.rule.kind === 'user') {
      if (!call.caller) throw Errors.unauthenticated();
      authorizeUser(call.caller, user && { id: user.id, orgId: user.orgId, memberships: found!.memberships }, call.rule);
    }
    if (!user) {
      // a missing user is known only to who can read every user (IAM_OWNER); a deleted one to who can read it
      const readable = found ? canRead(call.caller, found.user) : !!call.caller?.can('user.read', '');
      throw hidden && !readable ? hidden() : Errors.userNotFound();
    }
    return user;
  }
}
