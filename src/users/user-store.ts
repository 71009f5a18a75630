import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../database/entities/user.entity.js';
import { UserEventEntity } from '../database/entities/user-event.entity.js';
import { ConcurrentModificationError } from '../database/unit-of-work.js';

export interface NewEvent {
  type: string;
  payload?: Record<string, unknown> | null;
}

/**
 * The user aggregate's store: the current-state row and its append-only event log. Every
 * change goes through commit(), which bumps the row's sequence only if nobody else did first.
 */
@Injectable()
export class UserStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string, em: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return em.findOneBy(UserEntity, { id });
  }

  /**
   * The user, inside a write transaction. On PostgreSQL the row is locked so that concurrent
   * writers of one user queue up instead of failing their optimistic check over and over;
   * SQLite transactions are serial already. The sequence check in commit() stays the guard.
   */
  findForUpdate(em: EntityManager, id: string): Promise<UserEntity | null> {
    if (em.connection.options.type !== 'postgres') return em.findOneBy(UserEntity, { id });
    return em.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async usernameTaken(em: EntityManager, orgId: string, username: string): Promise<boolean> {
    return (await em.countBy(UserEntity, { orgId, username })) > 0;
  }

  async idTaken(em: EntityManager, id: string): Promise<boolean> {
    return (await em.countBy(UserEntity, { id })) > 0;
  }

  /** Inserts a new user with its first events; returns the user's sequence. */
  async create(em: EntityManager, user: UserEntity, events: NewEvent[], creator: string): Promise<number> {
    user.sequence = events.length;
    await em.insert(UserEntity, user);
    await this.append(em, user, 0, events, creator);
    return user.sequence;
  }

  /**
   * Writes the changed fields of `user` and appends `events`, expecting the row still to be at
   * `user.sequence`. Updates `user.sequence`; throws ConcurrentModificationError on a lost race.
   */
  async commit(
    em: EntityManager,
    user: UserEntity,
    changes: Partial<Pick<UserEntity, 'email' | 'emailVerified' | 'displayName' | 'state'>>,
    events: NewEvent[],
    creator: string,
  ): Promise<number> {
    const from = user.sequence;
    const to = from + events.length;
    const result = await em.update(UserEntity, { id: user.id, sequence: from }, { ...changes, sequence: to, changedAt: user.changedAt });
    if (!result.affected) throw new ConcurrentModificationError();
    Object.assign(user, changes);
    user.sequence = to;
    await this.append(em, user, from, events, creator);
    return to;
  }

  private async append(em: EntityManager, user: UserEntity, from: number, events: NewEvent[], creator: string): Promise<void> {
    if (events.length === 0) return;
    await em.insert(
      UserEventEntity,
      events.map((e, i) => ({
        userId: user.id,
        sequence: from + i + 1,
        type: e.type,
        resourceOwner: user.orgId,
        creator,
        payload: e.payload ?? null,
        createdAt: user.changedAt,
      })),
    );
  }

  eventsOf(userId: string): Promise<UserEventEntity[]> {
    return this.dataSource.manager.find(UserEventEntity, { where: { userId }, order: { sequence: 'ASC' } });
  }
}
