import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { OutboxMessageEntity, OutboxStatus } from '../database/entities/outbox-message.entity.js';

@Injectable()
export class OutboxRepository {
  private readonly postgres: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  async insert(em: EntityManager, row: OutboxMessageEntity): Promise<void> {
    await em.insert(OutboxMessageEntity, row);
  }

  /**
   * Claims up to `limit` due mails for this worker until `leaseUntil`: pending or retrying ones
   * whose time has come, and 'sending' ones whose lease ran out (their worker died). One
   * statement on both databases; PostgreSQL skips rows another worker is claiming right now.
   */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxMessageEntity[]> {
    const p = this.postgres ? (i: number) => `$${i}` : () => '?';
    const due = `(status IN ('pending','retrying') AND next_attempt_at <= ${p(2)}) OR (status = 'sending' AND locked_until <= ${p(3)})`;
    const pick = `SELECT id FROM mail_outbox WHERE ${due} ORDER BY next_attempt_at, id LIMIT ${p(4)}${this.postgres ? ' FOR UPDATE SKIP LOCKED' : ''}`;
    const sql =
      `UPDATE mail_outbox SET status = 'sending', locked_until = ${p(1)}, attempts = attempts + 1 ` +
      `WHERE id IN (${pick}) RETURNING id, user_id, kind, recipient, payload, attempts, created_at`;
    // placeholders numbered in the order they appear: SQLite's `?` binds by position
    const result: unknown = await this.dataSource.query(sql, [leaseUntil, now, now, limit]);
    // pg answers [rows, count] for UPDATE ... RETURNING through TypeORM; SQLite the rows.
    const rows = (this.postgres && Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Record<string, unknown>[];
    return rows.map((r) => {
      const m = new OutboxMessageEntity();
      m.id = String(r.id);
      m.userId = String(r.user_id);
      m.kind = String(r.kind);
      m.recipient = String(r.recipient);
      m.payload = r.payload == null ? null : String(r.payload);
      m.attempts = Number(r.attempts);
      m.createdAt = new Date(Number(r.created_at));
      m.status = 'sending';
      return m;
    });
  }

  async markSent(id: string, at: Date): Promise<void> {
    // the payload held the code: it has no use once the mail is out
    await this.dataSource.manager.update(OutboxMessageEntity, { id, status: 'sending' }, { status: 'sent', sentAt: at, payload: null, lockedUntil: null, lastError: null });
  }

  async markFailed(id: string, status: Extract<OutboxStatus, 'retrying' | 'dead'>, nextAttemptAt: Date, error: string): Promise<void> {
    await this.dataSource.manager.update(
      OutboxMessageEntity,
      { id, status: 'sending' },
      // a dead mail keeps its (encrypted) payload so that an admin can requeue it
      { status, nextAttemptAt, lockedUntil: null, lastError: error.slice(0, 1000) },
    );
  }

  recent(em: EntityManager, userId: string, kind: string, since: Date): Promise<{ recipient: string; createdAt: Date }[]> {
    return em.find(OutboxMessageEntity, {
      select: { recipient: true, createdAt: true },
      where: { userId, kind, createdAt: MoreThan(since) },
      order: { createdAt: 'DESC' },
    });
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
    const r = await this.dataSource.manager.update(OutboxMessageEntity, { id, status: 'dead' }, { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null });
    return !!r.affected;
  }

  find(where: { id?: string; userId?: string; status?: OutboxStatus }): Promise<OutboxMessageEntity[]> {
    return this.dataSource.manager.find(OutboxMessageEntity, { where, order: { id: 'ASC' } });
  }
}
