import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EmailUndoTokenEntity } from '../database/entities/email-undo-token.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

/** The undo links of replaced addresses (spec §10). */
@Injectable()
export class EmailUndoRepository {
  private readonly tokens: EntityMapper<EmailUndoTokenEntity>;

  constructor(private readonly sql: Sql) {
    this.tokens = sql.mapper(EmailUndoTokenEntity);
  }

  /** Stores a new link, dropping the user's links that can no longer be used (used or expired). */
  async insert(em: EntityManager, t: EmailUndoTokenEntity): Promise<void> {
    await this.sql.run(em, 'DELETE FROM email_undo_tokens WHERE user_id = $1 AND (used_at IS NOT NULL OR expires_at <= $2)', [
      t.userId,
      t.createdAt.getTime(),
    ]);
    await this.sql.run(em, this.tokens.insert, this.tokens.values({ ...t, usedAt: null }));
  }

  /** The link with this hash, locked on PostgreSQL so that two uses of one link queue up. */
  async findForUpdate(em: EntityManager, tokenHash: string): Promise<EmailUndoTokenEntity | null> {
    const lock = this.sql.dialect.forUpdateOf('email_undo_tokens');
    const r = await this.sql.one(em, `SELECT ${this.tokens.columns} FROM email_undo_tokens WHERE token_hash = $1${lock}`, [tokenHash]);
    return r ? this.tokens.fromRow(r) : null;
  }

  /** Uses up every open link of the user: after an undo, no older link can flip the address again. */
  async useAll(em: EntityManager, userId: string, at: Date): Promise<void> {
    await this.sql.run(em, 'UPDATE email_undo_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL', [at.getTime(), userId]);
  }
}
