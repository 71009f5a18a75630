import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EmailCodeEntity } from '../database/entities/email-code.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

/** The one pending verification code of each user. */
@Injectable()
export class EmailCodesRepository {
  private readonly codes: EntityMapper<EmailCodeEntity>;
  private readonly select: string;
  private readonly upsert: string;

  constructor(private readonly sql: Sql) {
    this.codes = sql.mapper(EmailCodeEntity);
    this.select = `SELECT ${this.codes.columns} FROM email_codes WHERE user_id = $1`;
    this.upsert = sql.dialect.upsert('email_codes', this.codes.columnList(), [this.codes.column('userId')]);
  }

  async find(em: EntityManager, userId: string): Promise<EmailCodeEntity | null> {
    const r = await this.sql.one(em, this.select, [userId]);
    return r ? this.codes.fromRow(r) : null;
  }

  /** Stores the user's pending code, replacing (and so invalidating) any earlier one. */
  async replace(em: EntityManager, code: EmailCodeEntity): Promise<void> {
    await this.sql.write(em, this.upsert, this.codes.values(code));
  }

  async delete(em: EntityManager, userId: string): Promise<void> {
    await this.sql.write(em, 'DELETE FROM email_codes WHERE user_id = $1', [userId]);
  }
}
