import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

export type OutboxStatus = 'pending' | 'sending' | 'retrying' | 'sent' | 'dead';

/** A mail to deliver, written in the same transaction as the change that caused it. */
@Entity('mail_outbox')
@Index('ix_mail_outbox_due', ['status', 'nextAttemptAt'])
@Index('ix_mail_outbox_user', ['userId', 'createdAt'])
@Index('ix_mail_outbox_recipient', ['recipientHash', 'createdAt'])
export class OutboxMessageEntity {
  /** Time-ordered ID; also the stable Message-ID of the mail. */
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  @Column({ type: 'varchar', length: 50 })
  kind!: string;

  @Column({ type: 'varchar', length: 200 })
  recipient!: string;

  /** Keyed hash of the normalised recipient, for the per-address cap (spec §7.6); null on older rows. */
  @Column({ name: 'recipient_hash', type: 'varchar', length: 64, nullable: true })
  recipientHash!: string | null;

  /** Template data, encrypted (it holds the code); cleared once the mail is sent. */
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
