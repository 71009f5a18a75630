import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { MembershipEntity } from '../database/entities/membership.entity.js';
import { PersonalAccessTokenEntity } from '../database/entities/personal-access-token.entity.js';
import { numOrNull, Sql } from '../database/sql.js';

/** TypeORM's simple-array: comma-separated. */
const splitRoles = (roles: string | null): string[] => (roles ? roles.split(',') : []);

export interface TokenOwner {
  tokenId: string;
  userId: string;
  orgId: string;
  expiresAt: number | null;
}

@Injectable()
export class AuthRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sql: Sql,
  ) {}

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
      roles: string | null;
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
      expiresAt: numOrNull(first.expires_at),
      memberships: new Map(rows.filter((r) => r.scope !== null).map((r) => [String(r.scope), splitRoles(r.roles)])),
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
    const rows = await this.sql.rows<{ scope: string; roles: string }>(null, 'SELECT scope, roles FROM memberships WHERE user_id = $1', [
      userId,
    ]);
    return new Map(rows.map((m) => [String(m.scope), splitRoles(m.roles)]));
  }

  async insertToken(em: EntityManager, token: PersonalAccessTokenEntity): Promise<void> {
    await em.insert(PersonalAccessTokenEntity, token);
  }

  async upsertMembership(em: EntityManager, m: MembershipEntity): Promise<void> {
    await em.upsert(MembershipEntity, m, ['userId', 'scope']);
  }

  listTokens(userId: string): Promise<PersonalAccessTokenEntity[]> {
    return this.dataSource.manager.find(PersonalAccessTokenEntity, {
      where: { userId, revokedAt: IsNull() },
      select: { id: true, userId: true, expiresAt: true, createdAt: true },
      order: { id: 'ASC' },
    });
  }

  /** Marks the token revoked; false when the user has no such live token. */
  async revokeToken(em: EntityManager, userId: string, tokenId: string, at: Date): Promise<boolean> {
    const r = await em.update(PersonalAccessTokenEntity, { id: tokenId, userId, revokedAt: IsNull() }, { revokedAt: at });
    return !!r.affected;
  }
}
