import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

/** A completed request made with an Idempotency-Key, and the response to replay for it. */
@Entity('idempotency_keys')
@Index('ix_idempotency_keys_created', ['createdAt'])
export class IdempotencyKeyEntity {
  /** The caller's user ID: keys are scoped per caller. */
  @PrimaryColumn({ name: 'caller_id', type: 'varchar', length: 200 })
  callerId!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  @Column({ type: 'varchar', length: 50 })
  operation!: string;

  /** SHA-256 of the operation's normalised input. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'text' })
  response!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
