import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { UserEntity } from '../database/entities/user.entity.js';
import type { UserIdpLinkEntity } from '../database/entities/user-idp-link.entity.js';
import { MutableColumn, NewEvent, UsersRepository } from './users.repository.js';

export type { MutableColumn, NewEvent } from './users.repository.js';

/**
 * How the other modules create and change users: the user aggregate's writes (a change and its
 * events in one commit with the sequence check, spec §9's action calls with them) and the
 * uniqueness checks of a new user. UsersRepository stays inside this module; these are plain
 * delegates, so a request costs no more statements and no more awaits than through it.
 */
@Injectable()
export class UserStore {
  constructor(private readonly users: UsersRepository) {}

  /** Inserts a new user with its first events; returns the user's sequence. */
  create(em: EntityManager, user: UserEntity, events: NewEvent[], creator: string): Promise<number> {
    return this.users.create(em, user, events, creator);
  }

  /**
   * Writes the changed fields of `user` and appends `events`, expecting the row still to be at
   * `user.sequence`. Updates `user.sequence`; throws ConcurrentModificationError on a lost race.
   */
  commit(
    em: EntityManager,
    user: UserEntity,
    changes: Partial<Pick<UserEntity, MutableColumn>>,
    events: NewEvent[],
    creator: string,
  ): Promise<number> {
    return this.users.commit(em, user, changes, events, creator);
  }

  /**
   * The user row whatever its state or type, locked inside `em`'s transaction, with no access
   * rule: for a writer that is not an operation on a live user (a dead mail recorded on its
   * user). Operations use UserTargets.
   */
  async lockAny(em: EntityManager, userId: string): Promise<UserEntity | null> {
    return (await this.users.findWithRoles(em, userId))?.user ?? null;
  }

  idTaken(em: EntityManager, id: string): Promise<boolean> {
    return this.users.idTaken(em, id);
  }

  usernameTaken(em: EntityManager, orgId: string, username: string): Promise<boolean> {
    return this.users.usernameTaken(em, orgId, username);
  }

  /** Whether any of these identities at a provider is linked to a user already (spec §7.9). */
  idpLinkTaken(em: EntityManager, links: { idpId: string; externalUserId: string }[]): Promise<boolean> {
    return this.users.idpLinkTaken(em, links);
  }

  insertIdpLinks(em: EntityManager, links: UserIdpLinkEntity[]): Promise<void> {
    return this.users.insertIdpLinks(em, links);
  }
}
