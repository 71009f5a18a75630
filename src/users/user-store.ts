import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserEntity } from '../database/entities/user.entity.js';
import { UserIdpLinkEntity } from '../database/entities/user-idp-link.entity.js';
import { bool, dateOf, num, Sql } from '../database/sql.js';
import { ConcurrentModificationError } from '../database/unit-of-work.js';
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

export interface NewEvent {
  type: string;
  payload?: Record<string, unknown> | null;
}

const INSERT_COLUMNS =
  'id, org_id, type, state, username, given_name, family_name, display_name, preferred_language, email, email_verified, sequence, created_at, changed_at';
// the columns a new user starts with at their defaults (UpdateUser and verify-first set them)
const USER_COLUMNS = `${INSERT_COLUMNS}, nick_name, gender, pending_email`;

const TARGET_COLUMNS = USER_COLUMNS.split(', ')
  .map((c) => `u.${c}`)
  .join(', ');

/** TypeORM's simple-array: comma-separated. */
const splitRoles = (roles: unknown): string[] => (roles ? String(roles).split(',') : []);

/** A user with the roles it holds, by scope (an organisation ID or the instance scope). */
export interface UserWithRoles {
  user: UserEntity;
  memberships: Map<string, string[]>;
}

/** The one predicate for "a live human user": what every operation on a user needs to find. */
export const isLiveHuman = (user: UserEntity | null | undefined): user is UserEntity =>
  !!user && user.state !== 'deleted' && user.type === 'human';

function userFromRow(r: Record<string, unknown>): UserEntity {
  const u = new UserEntity();
  u.id = String(r.id);
  u.orgId = String(r.org_id);
  u.type = r.type as UserEntity['type'];
  u.state = r.state as UserEntity['state'];
  u.username = String(r.username);
  u.givenName = String(r.given_name);
  u.familyName = String(r.family_name);
  u.displayName = String(r.display_name);
  u.preferredLanguage = String(r.preferred_language ?? '');
  u.email = String(r.email);
  u.emailVerified = bool(r.email_verified);
  u.sequence = num(r.sequence);
  u.createdAt = dateOf(r.created_at);
  u.changedAt = dateOf(r.changed_at);
  u.nickName = String(r.nick_name ?? '');
  u.gender = num(r.gender ?? 0);
  u.preferredLanguage = String(r.preferred_language ?? '');
  u.pendingEmail = r.pending_email == null ? null : String(r.pending_email);
  return u;
}

/**
 * The user aggregate's store: the current-state row and its append-only event log. Every
 * change goes through commit(), which bumps the row's sequence only if nobody else did first.
 * Hand-written SQL: this is the request path of every operation.
 */
@Injectable()
export class UserStore {
  constructor(
    private readonly sql: Sql,
    private readonly actions: ActionQueue,
  ) {}

  /**
   * The user and its memberships in one statement: the target of an operation, loaded once and
   * authorised on this very row. With `em` of a write transaction the row is locked on
   * PostgreSQL, so that concurrent writers of one user queue up instead of failing their
   * optimistic check over and over; SQLite transactions are serial already. The sequence check
   * in commit() stays the guard.
   */
  async findWithRoles(em: EntityManager | null, id: string): Promise<UserWithRoles | null> {
    const lock = em && this.sql.postgres ? ' FOR UPDATE OF u' : '';
    const rows = await this.sql.rows(
      em,
      `SELECT ${TARGET_COLUMNS}, m.scope AS m_scope, m.roles AS m_roles
         FROM users u LEFT JOIN memberships m ON m.user_id = u.id
        WHERE u.id = $1${lock}`,
      [id],
    );
    const first = rows[0];
    if (!first) return null;
    const memberships = new Map<string, string[]>();
    for (const r of rows) if (r.m_scope != null) memberships.set(String(r.m_scope), splitRoles(r.m_roles));
    return { user: userFromRow(first), memberships };
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
    if (links.length) await em.insert(UserIdpLinkEntity, links);
  }

  async idTaken(em: EntityManager, id: string): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM users WHERE id = $1', [id])) !== null;
  }

  /** Inserts a new user with its first events; returns the user's sequence. */
  async create(em: EntityManager, user: UserEntity, events: NewEvent[], creator: string): Promise<number> {
    user.sequence = events.length;
    await this.sql.run(em, `INSERT INTO users (${INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, [
      user.id,
      user.orgId,
      user.type,
      user.state,
      user.username,
      user.givenName,
      user.familyName,
      user.displayName,
      user.preferredLanguage ?? '',
      user.email,
      user.emailVerified,
      user.sequence,
      user.createdAt.getTime(),
      user.changedAt.getTime(),
    ]);
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
    const next = { ...user, ...changes };
    // one fixed statement for every change: the mutable columns from the merged state
    const result = await this.sql.run(
      em,
      `UPDATE users SET email = $1, email_verified = $2, display_name = $3, state = $4, sequence = $5, changed_at = $6,
         username = $9, given_name = $10, family_name = $11, nick_name = $12, gender = $13, preferred_language = $14, pending_email = $15
       WHERE id = $7 AND sequence = $8`,
      [
        next.email,
        next.emailVerified,
        next.displayName,
        next.state,
        to,
        user.changedAt.getTime(),
        user.id,
        from,
        next.username,
        next.givenName,
        next.familyName,
        next.nickName ?? '',
        next.gender ?? 0,
        next.preferredLanguage ?? '',
        next.pendingEmail ?? null,
      ],
    );
    if (result.affected !== 1) throw new ConcurrentModificationError();
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
    for (const [i, e] of events.entries()) {
      await this.sql.run(
        em,
        'INSERT INTO user_events (user_id, sequence, type, resource_owner, creator, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [user.id, from + i + 1, e.type, user.orgId, creator, e.payload ? JSON.stringify(e.payload) : null, user.changedAt.getTime()],
      );
    }
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
