import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MembershipEntity } from '../database/entities/membership.entity.js';
import { UserEventEntity } from '../database/entities/user-event.entity.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';
import { UserIdpLinkEntity } from '../database/entities/user-idp-link.entity.js';
import { ConcurrentModificationError, UnitOfWork } from '../database/unit-of-work.js';
import { ActionQueue } from '../actions/action-queue.js';

/** The columns a change may write (the rest are fixed at creation). */
export type MutableColumn =
  | 'email'
  | 'emailVerified'
  | 'pendingEmail'
  | 'displayName'
  | 'state'
  | 'username'
  | 'givenName'
  | 'familyName'
  | 'nickName'
  | 'gender'
  | 'preferredLanguage';

const MUTABLE_COLUMNS: readonly MutableColumn[] = [
  'email',
  'emailVerified',
  'pendingEmail',
  'displayName',
  'state',
  'username',
  'givenName',
  'familyName',
  'nickName',
  'gender',
  'preferredLanguage',
];

export interface NewEvent {
  type: string;
  payload?: Record<string, unknown> | null;
}

/** A user with the roles it holds, by scope (an organisation ID or the instance scope). */
export interface UserWithRoles {
  user: UserEntity;
  memberships: Map<string, string[]>;
}

/** The one predicate for "a live human user": what every operation on a user needs to find. */
export const isLiveHuman = (user: UserEntity | null | undefined): user is UserEntity =>
  !!user && user.state !== 'deleted' && user.type === 'human';

/**
 * The user aggregate: the current-state row and its append-only event log. Every change goes
 * through commit(), which bumps the row's sequence only if nobody else did first.
 */
@Injectable()
export class UsersRepository {
  private readonly users: EntityMapper<UserEntity>;
  private readonly events: EntityMapper<UserEventEntity>;
  private readonly members: EntityMapper<MembershipEntity>;
  private readonly selectWithRoles: string;
  private readonly updates = new Map<string, string>();

  private readonly idpLinks: EntityMapper<UserIdpLinkEntity>;

  constructor(
    private readonly sql: Sql,
    private readonly actions: ActionQueue,
    private readonly uow: UnitOfWork,
  ) {
    this.idpLinks = sql.mapper(UserIdpLinkEntity);
    this.users = sql.mapper(UserEntity);
    this.events = sql.mapper(UserEventEntity);
    this.members = sql.mapper(MembershipEntity);
    const u = this.users.columnList().map((c) => `u.${c}`);
    this.selectWithRoles = `SELECT ${u.join(', ')}, m.scope AS m_scope, m.roles AS m_roles
      FROM users u LEFT JOIN memberships m ON m.user_id = u.id WHERE u.id = $1`;
  }

  /**
   * The UPDATE of a change: only the columns it changes, then the sequence and the change date,
   * cached per set of columns (a handful exist). Naming only what changes matters: SQLite
   * rewrites the entries of every index on a column the SET names, changed or not, and every
   * page it touches is another page in the WAL and its checkpoints.
   */
  private updateOf(columns: readonly MutableColumn[]): string {
    const key = columns.join(',');
    let sql = this.updates.get(key);
    if (!sql) {
      const set = [...columns, 'sequence', 'changedAt'].map((p, i) => `${this.users.column(p as keyof UserEntity & string)} = $${i + 1}`);
      sql = `UPDATE users SET ${set.join(', ')} WHERE id = $${set.length + 1} AND sequence = $${set.length + 2}`;
      this.updates.set(key, sql);
    }
    return sql;
  }

  /**
   * The user and its memberships in one statement: the target of an operation, loaded once and
   * authorised on this very row. With `em` of a write transaction the row is locked on
   * PostgreSQL, so that concurrent writers of one user queue up instead of failing their
   * optimistic check over and over; SQLite transactions are serial already. The sequence check
   * in commit() stays the guard.
   */
  async findWithRoles(em: EntityManager | null, id: string): Promise<UserWithRoles | null> {
    const lock = em ? this.sql.dialect.forUpdateOf('u') : '';
    const rows = await this.sql.rows(em, this.selectWithRoles + lock, [id]);
    const first = rows[0];
    if (!first) return null;
    const memberships = new Map<string, string[]>();
    for (const r of rows) if (r.m_scope != null) memberships.set(String(r.m_scope), this.members.decode('roles', r.m_roles));
    return { user: this.users.fromRow(first), memberships };
  }

  async usernameTaken(em: EntityManager, orgId: string, username: string): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM users WHERE org_id = $1 AND username = $2', [orgId, username])) !== null;
  }

  /** Whether any of these identities at a provider is linked to a user already (spec §7.9). */
  async idpLinkTaken(em: EntityManager, links: { idpId: string; externalUserId: string }[]): Promise<boolean> {
    for (const l of links) {
      const row = await this.sql.one(em, 'SELECT 1 AS x FROM user_idp_links WHERE idp_id = $1 AND external_user_id = $2', [
        l.idpId,
        l.externalUserId,
      ]);
      if (row) return true;
    }
    return false;
  }

  async insertIdpLinks(em: EntityManager, links: UserIdpLinkEntity[]): Promise<void> {
    for (const link of links) await this.sql.run(em, this.idpLinks.insert, this.idpLinks.values(link));
  }

  async idTaken(em: EntityManager, id: string): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM users WHERE id = $1', [id])) !== null;
  }

  /** Inserts a new user with its first events; returns the user's sequence. */
  async create(em: EntityManager, user: UserEntity, events: NewEvent[], creator: string): Promise<number> {
    user.sequence = events.length;
    await this.sql.run(em, this.users.insert, this.users.values(user));
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
    changes: Partial<Pick<UserEntity, MutableColumn>>,
    events: NewEvent[],
    creator: string,
  ): Promise<number> {
    const from = user.sequence;
    const to = from + events.length;
    const u = this.users;
    // in MUTABLE_COLUMNS' order, so that one set of columns is one statement
    const columns = MUTABLE_COLUMNS.filter((p) => changes[p] !== undefined);
    // the sequence check's count arrives with the unit of work's other writes (Sql.write); a lost
    // race throws there and rolls everything back, and `user` then has its sequence back (the
    // operations read the user afresh in each attempt; a caller that retries with the same
    // object, as the repository test does, gets the same stale sequence again)
    const before: Partial<UserEntity> = { sequence: from };
    for (const p of columns) (before as Record<string, unknown>)[p] = user[p];
    this.uow.onRollback(em, () => Object.assign(user, before));
    await this.sql.write(
      em,
      this.updateOf(columns),
      [...columns.map((p) => u.encode(p, changes[p])), u.encode('sequence', to), u.encode('changedAt', user.changedAt), user.id, from],
      (affected) => {
        if (affected !== 1) throw new ConcurrentModificationError();
      },
    );
    Object.assign(user, changes);
    user.sequence = to;
    await this.append(em, user, from, events, creator);
    return to;
  }

  /**
   * The one place events are recorded: each event row, and in the same transaction the calls of
   * the action executions it triggers (spec §9), so no operation can record an event without them.
   */
  private async append(em: EntityManager, user: UserEntity, from: number, events: NewEvent[], creator: string): Promise<void> {
    if (events.length === 0) return;
    // every event of the change in one statement
    const values = events.flatMap((e, i) =>
      this.events.values({
        userId: user.id,
        sequence: from + i + 1,
        type: e.type,
        resourceOwner: user.orgId,
        creator,
        payload: e.payload ?? null,
        createdAt: user.changedAt,
      }),
    );
    await this.sql.write(em, this.events.insertRows(events.length), values);
    await this.actions.enqueue(
      em,
      events.map((e, i) => ({
        aggregateId: user.id,
        resourceOwner: user.orgId,
        sequence: from + i + 1,
        type: e.type,
        createdAt: user.changedAt,
        creator,
        payload: e.payload,
      })),
    );
  }
}
