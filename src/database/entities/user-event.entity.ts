import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMs } from '../columns.js';

/**
 * Append-only event log of a user aggregate. The primary key (user, sequence) is the last line
 * of defence against a lost update: two writers can never append the same sequence.
 */
@Entity('user_events')
export class UserEventEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  sequence!: number;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ name: 'resource_owner', type: 'varchar', length: 200 })
  resourceOwner!: string;

  /** The user who caused the event (empty for the system). */
  @Column({ type: 'varchar', length: 200 })
  creator!: string;

  @Column({ type: 'simple-json', nullable: true })
  payload!: object | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
