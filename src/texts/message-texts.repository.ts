import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MessageTextEntity, MessageTextRevisionEntity } from '../database/entities/message-text.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

const REVISION_ROW = 1;

/** Custom message texts and their revision counter, on the one data layer (Sql, the entity mapper). */
@Injectable()
export class MessageTextsRepository {
  private readonly texts: EntityMapper<MessageTextEntity>;
  private readonly revisions: EntityMapper<MessageTextRevisionEntity>;
  private readonly upsert: string;

  constructor(private readonly sql: Sql) {
    this.texts = sql.mapper(MessageTextEntity);
    this.revisions = sql.mapper(MessageTextRevisionEntity);
    this.upsert = sql.dialect.upsert('message_texts', this.texts.columnList(), ['scope', 'type', 'language']);
  }

  /** Every language's custom text of one scope and type. */
  async list(scope: string, type: string): Promise<MessageTextEntity[]> {
    const rows = await this.sql.rows(null, `SELECT ${this.texts.columns} FROM message_texts WHERE scope = $1 AND type = $2`, [scope, type]);
    return rows.map((r) => this.texts.fromRow(r));
  }

  async find(scope: string, type: string, language: string, em: EntityManager | null = null): Promise<MessageTextEntity | null> {
    const r = await this.sql.one(em, `SELECT ${this.texts.columns} FROM message_texts WHERE scope = $1 AND type = $2 AND language = $3`, [
      scope,
      type,
      language,
    ]);
    return r ? this.texts.fromRow(r) : null;
  }

  /** Inserts or replaces a text (one statement). */
  async save(em: EntityManager, row: MessageTextEntity): Promise<void> {
    await this.sql.run(em, this.upsert, this.texts.values(row));
  }

  async delete(em: EntityManager, scope: string, type: string, language: string): Promise<boolean> {
    const r = await this.sql.run(em, 'DELETE FROM message_texts WHERE scope = $1 AND type = $2 AND language = $3', [scope, type, language]);
    return r.affected > 0;
  }

  /**
   * Counts a change, in the writer's transaction. The row update also serialises writers of
   * texts (PostgreSQL holds its lock until commit).
   */
  async bumpRevision(em: EntityManager): Promise<void> {
    await this.sql.run(em, 'UPDATE message_text_revision SET revision = revision + 1 WHERE id = $1', [REVISION_ROW]);
  }

  async revision(): Promise<number> {
    const r = await this.sql.one(null, `SELECT ${this.revisions.columns} FROM message_text_revision WHERE id = $1`, [REVISION_ROW]);
    return r ? this.revisions.fromRow(r).revision : 0;
  }

  async orgName(id: string): Promise<string | null> {
    const r = await this.sql.one<{ name: string }>(null, 'SELECT name FROM organizations WHERE id = $1', [id]);
    return r ? String(r.name) : null;
  }
}
