import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EmailCodeEntity } from '../database/entities/email-code.entity.js';

@Injectable()
export class EmailCodesRepository {
  find(em: EntityManager, userId: string): Promise<EmailCodeEntity | null> {
    return em.findOneBy(EmailCodeEntity, { userId });
  }

  /** Stores the user's pending code, replacing (and so invalidating) any earlier one. */
  async replace(em: EntityManager, code: EmailCodeEntity): Promise<void> {
    await em.upsert(EmailCodeEntity, code, ['userId']);
  }

  async delete(em: EntityManager, userId: string): Promise<void> {
    await em.delete(EmailCodeEntity, { userId });
  }
}
