import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { MembershipEntity } from '../database/entities/membership.entity.js';
import { PersonalAccessTokenEntity } from '../database/entities/personal-access-token.entity.js';
import { UserEntity } from '../database/entities/user.entity.js';

export interface TokenOwner {
  tokenId: string;
  userId: string;
  orgId: string;
  expiresAt: number | null;
}

@Injectable()
export class AuthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The live token with this hash and its active owner, or null. */
  async findActiveByHash(tokenHash: string): Promise<TokenOwner | null> {
    const row = await this.dataSource
      .createQueryBuilder(PersonalAccessTokenEntity, 't')
      .innerJoin(UserEntity, 'u', 'u.id = t.user_id')
      .select(['t.id AS "tokenId"', 't.user_id AS "userId"', 'u.org_id AS "orgId"', 't.expires_at AS "expiresAt"'])
      .where('t.token_hash = :tokenHash', { tokenHash })
      .andWhere('t.revoked_at IS NULL')
      .andWhere("u.state = 'active'")
      .getRawOne<{ tokenId: string; userId: string; orgId: string; expiresAt: string | number | null }>();
    if (!row) return null;
    return { ...row, expiresAt: row.expiresAt == null ? null : Number(row.expiresAt) };
  }

  /** The organisation of the active user with this ID, or null (the subject of a JWT). */
  async findActiveUserOrg(userId: string): Promise<string | null> {
    const user = await this.dataSource.manager.findOne(UserEntity, { where: { id: userId, state: 'active' }, select: { orgId: true } });
    return user?.orgId ?? null;
  }

  async membershipsOf(userId: string): Promise<Map<string, string[]>> {
    const rows = await this.dataSource.manager.find(MembershipEntity, { where: { userId }, select: { scope: true, roles: true } });
    return new Map(rows.map((m) => [m.scope, m.roles]));
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
