import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { dateOf, Sql } from '../database/sql.js';
import { OutboxMessageEntity, OutboxStatus } from '../database/entities/outbox-message.entity.js';

@Injectable()
export class OutboxRepository {
  private readonly postgres: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sql: Sql,
  ) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  async insert(em: EntityManager, row: OutboxMessageEntity): Promise<void> {
    await this.sql.run(
      em,
      `INSERT INTO mail_outbox (id, user_id, kind, recipient, payload, status, attempts, next_attempt_at, locked_until, last_error, created_at, sent_at, recipient_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        row.id,
        row.userId,
        row.kind,
        row.recipient,
        row.payload,
        row.status,
        row.attempts,
        row.nextAttemptAt.getTime(),
        row.lockedUntil?.getTime() ?? null,
        row.lastError,
        row.createdAt.getTime(),
        row.sentAt?.getTime() ?? null,
        row.recipientHash,
      ],
    );
  }

  /**
   * Claims up to `limit` due mails for this worker until `leaseUntil`: pending or retrying ones
   * whose time has come, and 'sending' ones whose lease ran out (their worker died). One
   * statement on both databases; PostgreSQL skips rows another worker is claiming right now.
   */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxMessageEntity[]> {
    const skipLocked = this.postgres ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.sql.rows(
      null,
      `UPDATE mail_outbox SET status = 'sending', locked_until = $1, attempts = attempts + 1
        WHERE id IN (SELECT id FROM mail_outbox
                      WHERE (status IN ('pending', 'retrying') AND next_attempt_at <= $2) OR (status = 'sending' AND locked_until <= $2)
                      ORDER BY next_attempt_at, id LIMIT $3${skipLocked})
       RETURNING id, user_id, kind, recipient, payload, attempts, created_at`,
      [leaseUntil, now, limit],
    );
    return rows.map((r) => {
      const m = new OutboxMessageEntity();
      m.id = String(r.id);
      m.userId = String(r.user_id);
      m.kind = String(r.kind);
      m.recipient = String(r.recipient);
      m.payload = r.payload == null ? null : String(r.payload);
      m.attempts = Number(r.attempts);
      m.createdAt = dateOf(r.created_at);
      m.status = 'sending';
      return m;
    });
  }

  async markSent(id: string, at: Date): Promise<void> {
    // the payload held the code: it has no use once the mail is out
    await this.sql.run(
      null,
      "UPDATE mail_outbox SET status = 'sent', sent_at = $1, payload = NULL, locked_until = NULL, last_error = NULL WHERE id = $2 AND status = 'sending'",
      [at.getTime(), id],
    );
  }

  /** Records a failed attempt; false when the mail is no longer this worker's (its lease ran out). */
  async markFailed(
    id: string,
    status: Extract<OutboxStatus, 'retrying' | 'dead'>,
    nextAttemptAt: Date,
    error: string,
    em: EntityManager | null = null,
  ): Promise<boolean> {
    // a dead mail keeps its (encrypted) payload so that an admin can requeue it
    const r = await this.sql.run(
      em,
      "UPDATE mail_outbox SET status = $1, next_attempt_at = $2, locked_until = NULL, last_error = $3 WHERE id = $4 AND status = 'sending'",
      [status, nextAttemptAt.getTime(), error.slice(0, 1000), id],
    );
    return r.affected === 1;
  }

  async recent(em: EntityManager, userId: string, since: Date): Promise<{ kind: string; recipient: string; createdAt: Date }[]> {
    const rows = await this.sql.rows<{ kind: string; recipient: string; created_at: unknown }>(
      em,
      'SELECT kind, recipient, created_at FROM mail_outbox WHERE user_id = $1 AND created_at > $2 ORDER BY created_at DESC',
      [userId, since.getTime()],
    );
    return rows.map((r) => ({ kind: String(r.kind), recipient: String(r.recipient), createdAt: dateOf(r.created_at) }));
  }

  /**
   * When the newest `limit` mails to one recipient (by its hash) since `since` were enqueued,
   * newest first: one range scan of ix_mail_outbox_recipient. On PostgreSQL the transaction
   * first takes a lock on the hash, so two changes of different users mailing one address are
   * counted one after the other (on SQLite writers are serialised anyway).
   */
  async recentToRecipient(em: EntityManager, recipientHash: string, since: Date, limit: number): Promise<Date[]> {
    if (this.postgres) await this.sql.rows(em, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [recipientHash]);
    const rows = await this.sql.rows<{ created_at: unknown }>(
      em,
      'SELECT created_at FROM mail_outbox WHERE recipient_hash = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT $3',
      [recipientHash, since.getTime(), limit],
    );
    return rows.map((r) => dateOf(r.created_at));
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows: { status: string; n: string | number }[] = await this.dataSource
      .createQueryBuilder(OutboxMessageEntity, 'o')
      .select('o.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('o.status')
      .getRawMany();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  list(filter: { status?: OutboxStatus; userId?: string }, limit: number): Promise<OutboxMessageEntity[]> {
    const where: { status?: OutboxStatus; userId?: string } = {};
    if (filter.status) where.status = filter.status;
    if (filter.userId) where.userId = filter.userId;
    return this.dataSource.manager.find(OutboxMessageEntity, { where, order: { id: 'DESC' }, take: limit });
  }

  /** dead → pending, due now, attempts reset; false when the mail is not dead. */
  async requeue(id: string, now: Date): Promise<boolean> {
    const r = await this.dataSource.manager.update(
      OutboxMessageEntity,
      { id, status: 'dead' },
      { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null },
    );
    return !!r.affected;
  }

  find(where: { id?: string; userId?: string; status?: OutboxStatus }): Promise<OutboxMessageEntity[]> {
    return this.dataSource.manager.find(OutboxMessageEntity, { where, order: { id: 'ASC' } });
  }
}
