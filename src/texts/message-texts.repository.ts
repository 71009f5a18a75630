import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MessageTextEntity, MessageTextRevisionEntity } from '../database/entities/message-text.entity.js';
import { OrganizationEntity } from '../database/entities/organization.entity.js';

const REVISION_ROW = 1;

/** Custom message texts and their revision counter. */
@Injectable()
export class MessageTextsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every language's custom text of one scope and type. */
  list(scope: string, type: string): Promise<MessageTextEntity[]> {
    return this.dataSource.manager.findBy(MessageTextEntity, { scope, type });
  }

  find(scope: string, type: string, language: string, em: EntityManager = this.dataSource.manager): Promise<MessageTextEntity | null> {
    return em.findOneBy(MessageTextEntity, { scope, type, language });
  }

  /** Inserts or replaces a text (one statement: no nested transaction inside the unit of work). */
  async save(em: EntityManager, row: MessageTextEntity): Promise<void> {
    await em.upsert(MessageTextEntity, row, ['scope', 'type', 'language']);
  }

  async delete(em: EntityManager, scope: string, type: string, language: string): Promise<boolean> {
    return ((await em.delete(MessageTextEntity, { scope, type, language })).affected ?? 0) > 0;
  }

  /**
   * Counts a change, in the writer's transaction. The row update also serialises writers of
   * texts (PostgreSQL holds its lock until commit).
   */
  async bumpRevision(em: EntityManager): Promise<void> {
    await em.increment(MessageTextRevisionEntity, { id: REVISION_ROW }, 'revision', 1);
  }

  async revision(): Promise<number> {
    return (await this.dataSource.manager.findOneBy(MessageTextRevisionEntity, { id: REVISION_ROW }))?.revision ?? 0;
  }

  async orgName(id: string): Promise<string | null> {
    return (await this.dataSource.manager.findOneBy(OrganizationEntity, { id }))?.name ?? null;
  }
}
