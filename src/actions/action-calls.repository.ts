import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ActionCallEntity } from '../database/entities/action-call.entity.js';
import { UserEventEntity } from '../database/entities/user-event.entity.js';
import type { OutboxStatus } from '../database/entities/outbox-message.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

/** Calls per INSERT statement (14 parameters each: far below either database's limit). */
const INSERT_CHUNK = 200;
/** The advisory lock key the fan-outs take turns on (PostgreSQL): 'actfan' in ASCII. */
const FANOUT_LOCK = 0x616374666e;

/** A row of action_fanout as read (its ID as text: PostgreSQL returns a bigint so). */
interface FanoutRow {
  id: string;
  aggregateId: string;
  calls: string;
  createdAt: Date;
}

/**
 * The queue of target calls: the mail outbox's states, claim with a lease, and backoff; and
 * before it the calls of each change as one row (action_fanout), which the worker fans out.
 */
@Injectable()
export class ActionCallsRepository {
  private readonly calls: EntityMapper<ActionCallEntity>;
  private readonly events: EntityMapper<UserEventEntity>;

  constructor(private readonly sql: Sql) {
    this.calls = sql.mapper(ActionCallEntity);
    this.events = sql.mapper(UserEventEntity);
  }

  /** The event a call is for, from the user's event log (read-only: the log is the users module's). */
  async event(userId: string, sequence: number): Promise<UserEventEntity | null> {
    const r = await this.sql.one(null, `SELECT ${this.events.columns} FROM user_events WHERE user_id = $1 AND sequence = $2`, [
      userId,
      sequence,
    ]);
    return r ? this.events.fromRow(r) : null;
  }

  /**
   * The calls of one change, as one row to fan out (held with the change's other writes:
   * Sql.write). `calls` is ActionFanoutEntity's plan.
   */
  async enqueue(em: EntityManager, aggregateId: string, calls: string, callCount: number, createdAt: Date): Promise<void> {
    await this.sql.write(em, 'INSERT INTO action_fanout (aggregate_id, calls, call_count, created_at) VALUES ($1, $2, $3, $4)', [
      aggregateId,
      calls,
      callCount,
      createdAt.getTime(),
    ]);
  }

  /**
   * The oldest `limit` rows to fan out, in the order they were written. PostgreSQL: the fan-outs
   * of all processes take turns (a transaction-scoped advisory lock), so the calls' IDs follow
   * the rows' order and no row is fanned out twice.
   */
  async toFanOut(em: EntityManager, limit: number): Promise<FanoutRow[]> {
    if (this.sql.dialect.postgres) await this.sql.run(em, 'SELECT pg_advisory_xact_lock($1)', [FANOUT_LOCK]);
    const rows = await this.sql.rows<{ id: unknown; aggregate_id: string; calls: string; created_at: unknown }>(
      em,
      'SELECT id, aggregate_id, calls, created_at FROM action_fanout ORDER BY id LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ id: String(r.id), aggregateId: r.aggregate_id, calls: r.calls, createdAt: new Date(Number(r.created_at)) }));
  }

  /** Whether any row waits to be fanned out. */
  async anyQueued(): Promise<boolean> {
    return (await this.sql.one(null, 'SELECT 1 AS x FROM action_fanout LIMIT 1')) !== null;
  }

  /** The rows fanned out (their calls written in the same transaction). */
  async fannedOut(em: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.write(
      em,
      `DELETE FROM action_fanout WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
      ids.map(Number),
      (n) => {
        if (n !== ids.length) throw new Error(`fanned out ${ids.length} action_fanout rows, deleted ${n}`);
      },
    );
  }

  /** The largest call ID (calls are ordered by ID: a fan-out's IDs must come after it). */
  async lastCallId(em: EntityManager): Promise<string | null> {
    const r = await this.sql.one<{ id: string }>(em, 'SELECT id FROM action_calls ORDER BY id DESC LIMIT 1');
    return r?.id ?? null;
  }

  /** Calls, written by a fan-out (chunks of one statement each). */
  async insert(em: EntityManager, calls: readonly ActionCallEntity[]): Promise<void> {
    for (let i = 0; i < calls.length; i += INSERT_CHUNK) {
      const chunk = calls.slice(i, i + INSERT_CHUNK);
      await this.sql.write(
        em,
        this.calls.insertRows(chunk.length),
        chunk.flatMap((c) => this.calls.values(c)),
      );
    }
  }

  /**
   * Claims up to `limit` due calls until `leaseUntil` (as the mail outbox does, lease expiry
   * included). A call to an ordered target (restCall, restWebhook) waits while an earlier call to
   * that target is still undelivered, so such a target gets its calls one at a time, in order.
   * PostgreSQL skips rows another worker is claiming.
   */
  async claimDue(em: EntityManager, now: number, leaseUntil: number, limit: number): Promise<ActionCallEntity[]> {
    // one branch per state, each an ordered range of ix_action_calls_due (status, next_attempt_at),
    // as the mail outbox claims (an OR of the states read and sorted every due call)
    const lock = this.sql.dialect.forUpdateSkipLocked;
    // `p.ordered = TRUE` as written: the condition of the partial index ix_action_calls_target
    const inTurn = `(c.ordered = $4 OR NOT EXISTS (SELECT 1 FROM action_calls p
                                                   WHERE p.target_id = c.target_id AND p.ordered = TRUE AND p.id < c.id
                                                     AND p.status IN ('pending', 'sending', 'retrying')))`;
    const branch = (state: string, due: string) =>
      `SELECT id, t FROM (SELECT c.id, c.next_attempt_at AS t FROM action_calls c WHERE c.status = '${state}' AND ${due} <= $2 AND ${inTurn}
                          ORDER BY c.next_attempt_at LIMIT $3${lock}) ${state}`;
    const { rows } = await this.sql.run(
      em,
      `UPDATE action_calls SET status = 'sending', locked_until = $1, attempts = attempts + 1
        WHERE id IN (SELECT id FROM (${branch('pending', 'c.next_attempt_at')} UNION ALL ${branch('retrying', 'c.next_attempt_at')}
                                     UNION ALL ${branch('sending', 'c.locked_until')}) due
                      ORDER BY t, id LIMIT $3)
       RETURNING ${this.calls.columns}`,
      [leaseUntil, now, limit, false],
    );
    return rows.map((r) => this.calls.fromRow(r)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async markSent(em: EntityManager, id: string, at: Date): Promise<void> {
    await this.sql.run(
      em,
      "UPDATE action_calls SET status = 'sent', sent_at = $1, payload = NULL, locked_until = NULL, last_error = NULL WHERE id = $2 AND status = 'sending'",
      [at.getTime(), id],
    );
  }

  async markFailed(em: EntityManager, id: string, status: 'retrying' | 'dead', next: Date, error: string): Promise<void> {
    await this.sql.run(
      em,
      "UPDATE action_calls SET status = $1, next_attempt_at = $2, locked_until = NULL, last_error = $3 WHERE id = $4 AND status = 'sending'",
      [status, next.getTime(), error.slice(0, 1000), id],
    );
  }

  /** dead → pending, due now, attempts reset; false when the call is not dead. */
  async requeue(em: EntityManager, id: string, now: Date): Promise<boolean> {
    const r = await this.sql.run(
      em,
      "UPDATE action_calls SET status = 'pending', attempts = 0, next_attempt_at = $1, locked_until = NULL WHERE id = $2 AND status = 'dead'",
      [now.getTime(), id],
    );
    return r.affected === 1;
  }

  async find(em: EntityManager | null, id: string): Promise<ActionCallEntity | null> {
    const r = await this.sql.one(em, `SELECT ${this.calls.columns} FROM action_calls WHERE id = $1`, [id]);
    return r ? this.calls.fromRow(r) : null;
  }

  async list(filter: { status?: OutboxStatus; targetId?: string }, limit: number): Promise<ActionCallEntity[]> {
    const rows = await this.sql.rows(
      null,
      `SELECT ${this.calls.columns} FROM action_calls WHERE ($1 = '' OR status = $1) AND ($2 = '' OR target_id = $2) ORDER BY id DESC LIMIT $3`,
      [filter.status ?? '', filter.targetId ?? '', limit],
    );
    return rows.map((r) => this.calls.fromRow(r));
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.sql.rows<{ status: string; n: unknown }>(
      null,
      // the calls not fanned out yet are pending too
      `SELECT status, COUNT(*) AS n FROM action_calls GROUP BY status
       UNION ALL SELECT 'pending', COALESCE(SUM(call_count), 0) FROM action_fanout`,
    );
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + Number(r.n);
    return counts;
  }
}
