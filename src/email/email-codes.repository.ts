import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EmailCodeEntity } from '../database/entities/email-code.entity.js';
import { dateOf, num, Sql } from '../database/sql.js';

@Injectable()
export class EmailCodesRepository {
  constructor(private readonly sql: Sql) {}

  async find(em: EntityManager, userId: string): Promise<EmailCodeEntity | null> {
    const r = await this.sql.one(
      em,
      'SELECT user_id, code_hash, email, url_template, attempts, source_attempts, created_at, expires_at FROM email_codes WHERE user_id = $1',
      [userId],
    );
    if (!r) return null;
    return {
      userId: String(r.user_id),
      codeHash: String(r.code_hash),
      email: String(r.email),
      urlTemplate: r.url_template == null ? null : String(r.url_template),
      attempts: num(r.attempts),
      sourceAttempts: String(r.source_attempts),
      createdAt: dateOf(r.created_at),
      expiresAt: dateOf(r.expires_at),
    };
  }

  /** Stores the user's pending code, replacing (and so invalidating) any earlier one. */
  async replace(em: EntityManager, code: EmailCodeEntity): Promise<void> {
    await this.sql.run(
      em,
      `INSERT INTO email_codes (user_id, code_hash, email, url_template, attempts, source_attempts, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, email = excluded.email, url_template = excluded.url_template,
         attempts = excluded.attempts, source_attempts = excluded.source_attempts, created_at = excluded.created_at, expires_at = excluded.expires_at`,
      [
        code.userId,
        code.codeHash,
        code.email,
        code.urlTemplate,
        code.attempts,
        code.sourceAttempts,
        code.createdAt.getTime(),
        code.expiresAt.getTime(),
      ],
    );
  }

  async delete(em: EntityManager, userId: string): Promise<void> {
    await this.sql.run(em, 'DELETE FROM email_codes WHERE user_id = $1', [userId]);
  }
}
