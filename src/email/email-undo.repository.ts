import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { EmailUndoTokenEntity } from '../database/entities/email-undo-token.entity.js';
import { dateOf, dateOrNull, Sql } from '../database/sql.js';

/** The undo links of replaced addresses (spec §10), and what using one revokes. */
@Injectable()
export class EmailUndoRepository {
  constructor(private readonly sql: Sql) {}

  /** Stores a new link, dropping the user's links that can no longer be used (used or expired). */
  async insert(em: EntityManager, t: EmailUndoTokenEntity): Promise<void> {
    await this.sql.run(em, 'DELETE FROM email_undo_tokens WHERE user_id = $1 AND (used_at IS NOT NULL OR expires_at <= $2)', [
      t.userId,
      t.createdAt.getTime(),
    ]);
    await this.sql.run(
      em,
      `INSERT INTO email_undo_tokens (id, user_id, token_hash, previous_email, new_email, created_at, expires_at, used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)`,
      [t.id, t.userId, t.tokenHash, t.previousEmail, t.newEmail, t.createdAt.getTime(), t.expiresAt.getTime()],
    );
  }

  /** The link with this hash, locked on PostgreSQL so that two uses of one link queue up. */
  async findForUpdate(em: EntityManager, tokenHash: string): Promise<EmailUndoTokenEntity | null> {
    const lock = this.sql.postgres ? ' FOR UPDATE' : '';
    const r = await this.sql.one(
      em,
      `SELECT id, user_id, token_hash, previous_email, new_email, created_at, expires_at, used_at FROM email_undo_tokens WHERE token_hash = $1${lock}`,
      [tokenHash],
    );
    if (!r) return null;
    return {
      id: String(r.id),
      userId: String(r.user_id),
      tokenHash: String(r.token_hash),
      previousEmail: String(r.previous_email),
      newEmail: String(r.new_email),
      createdAt: dateOf(r.created_at),
      expiresAt: dateOf(r.expires_at),
      usedAt: dateOrNull(r.used_at),
    };
  }

  /** Uses up every open link of the user: after an undo, no older link can flip the address again. */
  async useAll(em: EntityManager, userId: string, at: Date): Promise<void> {
    await this.sql.run(em, 'UPDATE email_undo_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL', [at.getTime(), userId]);
  }

  /** Revokes every live personal access token of the user; returns how many. */
  async revokeTokens(em: EntityManager, userId: string, at: Date): Promise<number> {
    const r = await this.sql.run(em, 'UPDATE personal_access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [
      at.getTime(),
      userId,
    ]);
    return r.affected;
  }
}
