import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxMessageEntity, OutboxStatus } from '../database/entities/outbox-message.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

/** The mail outbox: rows written with the change that caused them, claimed and settled by the worker. */
@Injectable()
export class OutboxRepository {
  private readonly mails: EntityMapper<OutboxMessageEntity>;

  constructor(private readonly sql: Sql) {
    this.mails = sql.mapper(OutboxMessageEntity);
  }

  async insert(em: EntityManager, row: OutboxMessageEntity): Promise<void> {
    await this.sql.write(em, this.mails.insert, this.mails.values(row));
  }

  /**
   * Claims up to `limit` due mails for this worker until `leaseUntil`: pending or retrying ones
   * whose time has come, and 'sending' ones whose lease ran out (their worker died). One
   * statement on both databases; PostgreSQL skips rows another worker is claiming right now.
   */
  async claimDue(em: EntityManager, now: number, leaseUntil: number, limit: number): Promise<OutboxMessageEntity[]> {
    // one branch per state, each an ordered range of ix_mail_outbox_due (status, next_attempt_at)
    // read no further than `limit` rows: an OR of the states, ordered as a whole, read and sorted
    // every due row, which with a backlog of thousands was most of the worker's time
    const lock = this.sql.dialect.forUpdateSkipLocked;
    const { rows } = await this.sql.run(
      em,
      `UPDATE mail_outbox SET status = 'sending', locked_until = $1, attempts = attempts + 1
        WHERE id IN (SELECT id FROM (
                       SELECT id, t FROM (SELECT id, next_attempt_at AS t FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $2
                                           ORDER BY next_attempt_at LIMIT $3${lock}) p
                       UNION ALL
                       SELECT id, t FROM (SELECT id, next_attempt_at AS t FROM mail_outbox WHERE status = 'retrying' AND next_attempt_at <= $2
                                           ORDER BY next_attempt_at LIMIT $3${lock}) r
                       UNION ALL
                       SELECT id, t FROM (SELECT id, next_attempt_at AS t FROM mail_outbox WHERE status = 'sending' AND locked_until <= $2
                                           ORDER BY next_attempt_at LIMIT $3${lock}) s
                     ) due ORDER BY t, id LIMIT $3)
       RETURNING id, user_id, kind, recipient, payload, status, attempts, created_at`,
      [leaseUntil, now, limit],
    );
    return rows.map((r) => this.mails.fromRow(r));
  }

  /** Marks sent the mails of `ids` that are still claimed ('sending'), in one statement. */
  async markSent(em: EntityManager, ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    // the payload held the code: it has no use once the mail is out
    await this.sql.run(
      em,
      `UPDATE mail_outbox SET status = 'sent', sent_at = $1, payload = NULL, locked_until = NULL, last_error = NULL
        WHERE id IN (${ids.map((_, i) => `$${i + 2}`).join(', ')}) AND status = 'sending'`,
      [at.getTime(), ...ids],
    );
  }

  /** Records a failed attempt; false when the mail is no longer this worker's (its lease ran out). */
  async markFailed(
    em: EntityManager,
    id: string,
    status: Extract<OutboxStatus, 'retrying' | 'dead'>,
    nextAttemptAt: Date,
    error: string,
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
    const rows = await this.sql.rows(
      em,
      'SELECT kind, recipient, created_at FROM mail_outbox WHERE user_id = $1 AND created_at > $2 ORDER BY created_at DESC',
      [userId, since.getTime()],
    );
    return rows.map((r) => {
      const m = this.mails.fromRow(r);
      return { kind: m.kind, recipient: m.recipient, createdAt: m.createdAt };
    });
  }

  /**
   * When the newest `limit` mails to one recipient (by its hash) since `since` were enqueued,
   * newest first: one range scan of ix_mail_outbox_recipient. On PostgreSQL the transaction
   * first takes a lock on the hash, so two changes of different users mailing one address are
   * counted one after the other (on SQLite writers are serialised anyway): the count is a
   * statement of its own after the lock (a fresh snapshot), sent with it in one round trip.
   */
  async recentToRecipient(em: EntityManager, recipientHash: string, since: Date, limit: number): Promise<Date[]> {
    const after = since.getTime();
    let rows: Record<string, unknown>[];
    if (this.sql.dialect.postgres) {
      // the lock and the count in one round trip; the values are literals, so checked first (the hash is base64url)
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(recipientHash) || !Number.isSafeInteger(after) || !Number.isSafeInteger(limit))
        throw new Error('recentToRecipient: a recipient hash is base64url, the bounds integers');
      const [, counted] = await this.sql.script(
        em,
        `SELECT pg_advisory_xact_lock(hashtextextended('${recipientHash}', 0));
         SELECT created_at FROM mail_outbox WHERE recipient_hash = '${recipientHash}' AND created_at > ${after} ORDER BY created_at DESC LIMIT ${limit}`,
      );
      rows = counted ?? [];
    } else {
      rows = await this.sql.rows(
        em,
        'SELECT created_at FROM mail_outbox WHERE recipient_hash = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT $3',
        [recipientHash, after, limit],
      );
    }
    return rows.map((r) => this.mails.decode('createdAt', r.created_at));
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.sql.rows<{ status: string; n: string | number }>(
      null,
      'SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** The newest mails first, filtered by status and user when given. */
  async list(filter: { status?: OutboxStatus; userId?: string }, limit: number): Promise<OutboxMessageEntity[]> {
    const rows = await this.sql.rows(
      null,
      `SELECT ${this.mails.columns} FROM mail_outbox
        WHERE (CAST($1 AS VARCHAR) IS NULL OR status = $1) AND (CAST($2 AS VARCHAR) IS NULL OR user_id = $2) ORDER BY id DESC LIMIT $3`,
      [filter.status ?? null, filter.userId ?? null, limit],
    );
    return rows.map((r) => this.mails.fromRow(r));
  }

  /** dead → pending, due now, attempts reset; false when the mail is not dead. */
  async requeue(em: EntityManager, id: string, now: Date): Promise<boolean> {
    const r = await this.sql.run(
      em,
      "UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, locked_until = NULL WHERE id = $2 AND status = 'dead'",
      [now.getTime(), id],
    );
    return r.affected > 0;
  }

  async findById(id: string, em: EntityManager | null = null): Promise<OutboxMessageEntity | null> {
    const r = await this.sql.one(em, `SELECT ${this.mails.columns} FROM mail_outbox WHERE id = $1`, [id]);
    return r ? this.mails.fromRow(r) : null;
  }
}
