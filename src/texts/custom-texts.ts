import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors/app-error.js';
import { MessageTextEntity } from '../database/entities/message-text.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { MessageTextResolver } from './message-text-resolver.js';
import { MessageTextsRepository } from './message-texts.repository.js';
import { MESSAGE_FIELDS, type MessageFields, type MessageType } from './message-types.js';

const textNotFound = () => notFound('TEXT-n0tFd1', 'Custom message text not found');

/**
 * The custom texts as stored, by scope (an organisation, or the instance): reading one, and
 * setting or removing one in a unit of work that also moves the revision, so that other
 * instances re-read theirs; this process's resolved texts are dropped at once.
 */
@Injectable()
export class CustomTexts {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: MessageTextsRepository,
    private readonly resolver: MessageTextResolver,
    private readonly clock: Clock,
  ) {}

  find(scope: string, type: MessageType, language: string): Promise<MessageTextEntity | null> {
    return this.repo.find(scope, type, language);
  }

  /** Sets the scope's text of a type and language; returns it as saved (its sequence counts the changes). */
  async set(scope: string, input: MessageFields & { type: MessageType; language: string }): Promise<MessageTextEntity> {
    const saved = await this.uow.run(async (em) => {
      const now = this.clock.now();
      const prior = await this.repo.find(scope, input.type, input.language, em);
      const row = Object.assign(new MessageTextEntity(), {
        scope,
        type: input.type,
        language: input.language,
        ...Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, input[f]])),
        sequence: (prior?.sequence ?? 0) + 1,
        createdAt: prior?.createdAt ?? now,
        changedAt: now,
      });
      await this.repo.save(em, row);
      await this.repo.bumpRevision(em);
      return row;
    });
    this.resolver.invalidate();
    return saved;
  }

  /** Removes the scope's text (TEXT-n0tFd1 when there is none); returns it as it was, with the removal counted. */
  async reset(scope: string, type: MessageType, language: string): Promise<MessageTextEntity> {
    const removed = await this.uow.run(async (em) => {
      const prior = await this.repo.find(scope, type, language, em);
      if (!prior || !(await this.repo.delete(em, scope, type, language))) throw textNotFound();
      await this.repo.bumpRevision(em);
      return Object.assign(prior, { sequence: prior.sequence + 1, changedAt: this.clock.now() });
    });
    this.resolver.invalidate();
    return removed;
  }
}
