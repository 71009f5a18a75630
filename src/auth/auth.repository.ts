import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MembershipEntity } from '../database/entities/membership.entity.js';
import { PersonalAccessTokenEntity } from '../database/entities/personal-access-token.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

export interface TokenOwner {
  tokenId: string;
  userId: string;
  orgId: string;
  expiresAt: number | null;
}

/** Personal access tokens and memberships: who a caller is and what it may do. */
@Injectable()
export class AuthRepository {
  private readonly tokens: EntityMapper<PersonalAccessTokenEntity>;
  private readonly members: EntityMapper<MembershipEntity>;
  private readonly upsertMember: string;

  constructor(private readonly sql: Sql) {
    this.tokens = sql.mapper(PersonalAccessTokenEntity);
    this.members = sql.mapper(MembershipEntity);
    this.upsertMember = sql.dialect.upsert('memberships', this.members.columnList(), [
      this.members.column('userId'),
      this.members.column('scope'),
    ]);
  }

  /**
   * The live token with this hash, its active owner and the owner's memberships, in one
   * statement: this runs for every authenticated request.
   */
  async findActiveByHash(tokenHash: string): Promise<(TokenOwner & { memberships: Map<string, string[]> }) | null> {
    const rows = await this.sql.rows<{
      token_id: string;
      user_id: string;
      org_id: string;
      expires_at: unknown;
      scope: string | null;
      roles: unknown;
    }>(
      null,
      `SELECT t.id AS token_id, t.user_id, u.org_id, t.expires_at, m.scope, m.roles
         FROM personal_access_tokens t
         JOIN users u ON u.id = t.user_id
         LEFT JOIN memberships m ON m.user_id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.state = 'active'`,
      [tokenHash],
    );
    const first = rows[0];
    if (!first) return null;
    return {
      tokenId: String(first.token_id),
      userId: String(first.user_id),
      orgId: String(first.org_id),
      expiresAt: this.tokens.decode('expiresAt', first.expires_at)?.getTime() ?? null,
      memberships: new Map(rows.filter((r) => r.scope !== null).map((r) => [String(r.scope), this.members.decode('roles', r.roles)])),
    };
  }

  /** The organisation of the active user with this ID, or null (the subject of a JWT). */
  async findActiveUserOrg(userId: string): Promise<string | null> {
    const row = await this.sql.one<{ org_id: string }>(null, "SELECT org_id FROM users WHERE id = $1 AND state = 'active'", [userId]);
    return row ? String(row.org_id) : null;
  }

  /** The local user an identity at an IDP is linked to (spec §7.9), or null. */
  async findUserByIdpLink(idpId: string, externalUserId: string): Promise<string | null> {
    const row = await this.sql.one<{ user_id: string }>(
      null,
      'SELECT user_id FROM user_idp_links WHERE idp_id = $1 AND external_user_id = $2',
      [idpId, externalUserId],
    );
    return row ? String(row.user_id) : null;
  }

  async membershipsOf(userId: string): Promise<Map<string, string[]>> {
    const rows = await this.sql.rows(null, `SELECT ${this.members.columns} FROM memberships WHERE user_id = $1`, [userId]);
    return new Map(rows.map((r) => this.members.fromRow(r)).map((m) => [m.scope, m.roles]));
  }

  async insertToken(em: EntityManager, token: PersonalAccessTokenEntity): Promise<void> {
    await this.sql.run(em, this.tokens.insert, this.tokens.values(token));
  }

  async upsertMembership(em: EntityManager, m: MembershipEntity): Promise<void> {
    await this.sql.run(em, this.upsertMember, this.members.values(m));
  }

  /** The user's live tokens, oldest first (without their hashes). */
  async listTokens(userId: string): Promise<PersonalAccessTokenEntity[]> {
    const rows = await this.sql.rows(
      null,
      'SELECT id, user_id, expires_at, created_at FROM personal_access_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id',
      [userId],
    );
    return rows.map((r) => this.tokens.fromRow(r));
  }

  /** Marks the token revoked; false when the user has no such live token. */
  async revokeToken(em: EntityManager, userId: string, tokenId: string, at: Date): Promise<boolean> {
    const r = await this.sql.run(
      em,
      'UPDATE personal_access_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL',
      [this.tokens.encode('revokedAt', at), tokenId, userId],
    );
    return r.affected > 0;
  }

  /** Revokes every live token of the user; returns how many. */
  async revokeAllTokens(em: EntityManager, userId: string, at: Date): Promise<number> {
    const r = await this.sql.run(em, 'UPDATE personal_access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [
      at.getTime(),
      userId,
    ]);
    return r.affected;
  }
}
