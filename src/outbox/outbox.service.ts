import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { IdGenerator } from '../common/id-generator.js';
import { SecretBox } from '../common/secret-box.js';
import { failedPrecondition, notFound } from '../common/errors/app-error.js';
import type { OutboxMessageEntity, OutboxStatus } from '../database/entities/outbox-message.entity.js';
import type { DeliveryView } from './delivery.view.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { MetricsService } from '../observability/metrics.service.js';
import { OutboxRepository } from './outbox.repository.js';

export const MailKind = {
  /** The verification code and link (counts towards the daily cap). */
  verifyEmail: 'email.verify',
  /** Notice to the previous verified address that it was replaced. */
  emailChanged: 'email.changed',
  /** Notice to the address that replaced it that the change was undone (spec §10). */
  emailChangeReverted: 'email.change.reverted',
} as const;
export type MailKind = (typeof MailKind)[keyof typeof MailKind];

export interface Mail {
  kind: MailKind;
  userId: string;
  recipient: string;
  /** Template data; sealed at rest since it may hold a code. */
  data: Record<string, string>;
}

/**
 * Writes mails into the outbox inside the caller's transaction, and wakes the worker after the
 * commit so delivery starts at once instead of at the next poll. The worker (DeliveryModule)
 * claims and settles them here, the admins' API (DeliveriesModule) lists and requeues them:
 * OutboxRepository stays inside OutboxModule.
 */
@Injectable()
export class OutboxService {
  private listeners: (() => void)[] = [];

  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: OutboxRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    metrics: MetricsService,
  ) {
    // the gauge is read at scrape time, in every process that has the outbox (API and worker)
    metrics.setOutboxDepthSource(() => repo.countByStatus());
  }

  async enqueue(em: EntityManager, mail: Mail): Promise<string> {
    const id = this.ids.next();
    const now = this.clock.now();
    await this.repo.insert(em, {
      id,
      userId: mail.userId,
      kind: mail.kind,
      recipient: mail.recipient,
      recipientHash: this.recipientKey(mail.recipient),
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

  /** The user's mails (every kind) enqueued after `since`, newest first (for the resend limits). */
  recent(em: EntityManager, userId: string, since: Date): Promise<{ kind: string; recipient: string; createdAt: Date }[]> {
    return this.repo.recent(em, userId, since);
  }

  /**
   * The keyed hash that identifies a recipient address (spec §7.6): trimmed and lower-cased, so
   * `Victim@Example.com ` and `victim@example.com` are one address, and keyed, so the column
   * cannot be matched against a list of addresses without the key.
   */
  recipientKey(address: string): string {
    return this.box.hmac(`mail-recipient\u0000${address.trim().toLowerCase()}`);
  }

  /** When the newest `limit` mails to this address were enqueued after `since`, all users together; newest first. */
  recentToRecipient(em: EntityManager, address: string, since: Date, limit: number): Promise<Date[]> {
    return this.repo.recentToRecipient(em, this.recipientKey(address), since, limit);
  }

  /** Admin view of deliveries, newest first (at most 500). */
  async list(filter: { state?: OutboxStatus; userId?: string }): Promise<DeliveryView[]> {
    return (await this.repo.list({ status: filter.state, userId: filter.userId }, 500)).map(toView);
  }

  /** Puts a dead mail back in the queue with a fresh attempt budget. */
  async requeue(id: string): Promise<DeliveryView> {
    const now = this.clock.now();
    const { requeued, row } = await this.uow.run(async (em) => ({
      requeued: await this.repo.requeue(em, id, now),
      row: await this.repo.findById(id, em),
    }));
    if (!row) throw notFound('OUTBOX-n0tFd', 'Mail delivery not found');
    if (!requeued) throw failedPrecondition('OUTBOX-n0tDd', 'Only a dead mail can be requeued');
    this.wake();
    return toView(row);
  }

  /** The worker's next batch: up to `limit` due mails, leased to it until `leaseUntil` (see OutboxRepository.claimDue). */
  claimDue(em: EntityManager, now: number, leaseUntil: number, limit: number): Promise<OutboxMessageEntity[]> {
    return this.repo.claimDue(em, now, leaseUntil, limit);
  }

  /** A mail the worker sent: its payload (which held the code) goes. */
  markSent(em: EntityManager, ids: readonly string[], at: Date): Promise<void> {
    return this.repo.markSent(em, ids, at);
  }

  /** A failed attempt; false when the mail is no longer this worker's (its lease ran out). */
  markFailed(
    em: EntityManager,
    id: string,
    status: Extract<OutboxStatus, 'retrying' | 'dead'>,
    nextAttemptAt: Date,
    error: string,
  ): Promise<boolean> {
    return this.repo.markFailed(em, id, status, nextAttemptAt, error);
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

function toView(r: OutboxMessageEntity): DeliveryView {
  const due = r.status === 'pending' || r.status === 'retrying';
  return {
    id: r.id,
    userId: r.userId,
    kind: r.kind,
    recipient: r.recipient,
    state: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    createdAt: r.createdAt,
    nextAttemptAt: due ? r.nextAttemptAt : null,
    sentAt: r.sentAt,
  };
}
