import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMs } from '../columns.js';
import type { OutboxStatus } from './outbox-message.entity.js';

/**
 * A call of a target for one event, written in the transaction that records the event and
 * delivered by the actions worker (the mail outbox's claim, lease and backoff).
 */
@Entity('action_calls')
@Index('ix_action_calls_due', ['status', 'nextAttemptAt'])
// the calls of ordered targets only (migration 1796090000000; TypeORM does not compare `where`)
@Index('ix_action_calls_target', ['targetId', 'status', 'id'], { where: '"ordered" = TRUE' })
export class ActionCallEntity {
  /** Time-ordered ID; also the delivery ID receivers de-duplicate on. */
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 20 })
  targetId!: string;

  /** restCall and restWebhook targets get their calls one at a time, in order (the partial index on target, status, id of the ordered calls finds an earlier undelivered one without reading the delivered ones). */
  @Column({ type: 'boolean', default: false })
  ordered!: boolean;

  @Column({ name: 'event_type', type: 'varchar', length: 100 })
  eventType!: string;

  @Column({ name: 'aggregate_id', type: 'varchar', length: 200 })
  aggregateId!: string;

  /**
   * The event the call is for: the user's event log row (aggregate_id, event_sequence), from which
   * the worker builds the request body at each attempt. A change so writes no body of its own.
   */
  @Column({ name: 'event_sequence', type: 'bigint', nullable: true, transformer: bigintNumber })
  eventSequence!: number | null;

  /** Calls written before event_sequence: the request body, sealed (it names the user and the address); cleared once delivered. */
  @Column({ type: 'text', nullable: true })
  payload!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: epochMs })
  nextAttemptAt!: Date;

  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  lockedUntil!: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  sentAt!: Date | null;
}
