import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintText, epochMs } from '../columns.js';

/**
 * Which targets an event condition calls, in order. The key is ZITADEL's execution ID:
 * `event/<type>`, `event/<group>.*` or `event` (all events).
 */
@Entity('action_executions')
export class ActionExecutionEntity {
  @PrimaryColumn({ type: 'varchar', length: 300 })
  id!: string;

  /** JSON array of target IDs. */
  @Column({ type: 'text' })
  targets!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'changed_at', type: 'bigint', transformer: epochMs })
  changedAt!: Date;
}

/**
 * One row (id 1) whose version moves with every change of targets or executions, so each
 * process knows, in the transaction that appends events, whether its cached executions are current.
 */
@Entity('action_state')
export class ActionStateEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint', transformer: bigintText })
  version!: string;
}
