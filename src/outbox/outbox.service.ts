import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { IdGenerator } from '../common/id-generator.js';
import { SecretBox } from '../common/secret-box.js';
import { OutboxRepository } from './outbox.repository.js';

export interface VerificationMail {
  userId: string;
  recipient: string;
  /** Template data; sealed at rest since it holds the code. */
  data: { displayName: string; code: string; url: string };
}

export const VERIFY_EMAIL_KIND = 'email.verify';

/**
 * Writes mails into the outbox inside the caller's transaction, and wakes the worker after the
 * commit so delivery starts at once instead of at the next poll.
 */
@Injectable()
export class OutboxService {
  private listeners: (() => void)[] = [];

  constructor(
    private readonly repo: OutboxRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  async enqueue(em: EntityManager, mail: VerificationMail): Promise<string> {
    const id = this.ids.next();
    const now = this.clock.now();
    await this.repo.insert(em, {
      id,
      userId: mail.userId,
      kind: VERIFY_EMAIL_KIND,
      recipient: mail.recipient,
      payload: this.box.encrypt(JSON.stringify(mail.data)),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lastError: null,
      createdAt: now,
      sentAt: null,
    });
    return id;
  }

  /** Call after a transaction that enqueued mail has committed. */
  wake(): void {
    for (const l of this.listeners) l();
  }

  onWake(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
