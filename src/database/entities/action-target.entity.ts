import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

export type ActionTargetType = 'restWebhook' | 'restCall' | 'restAsync';

/** An endpoint that executions call (ZITADEL Actions v2 target). */
@Entity('action_targets')
export class ActionTargetEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column({ type: 'varchar', length: 1000, unique: true })
  name!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 16 })
  targetType!: ActionTargetType;

  @Column({ name: 'interrupt_on_error', type: 'boolean', default: false })
  interruptOnError!: boolean;

  @Column({ type: 'varchar', length: 1000 })
  endpoint!: string;

  @Column({ name: 'timeout_ms', type: 'integer' })
  timeoutMs!: number;

  /** The signing key, sealed (SecretBox): shown once at creation, never again. */
  @Column({ name: 'signing_key', type: 'text' })
  signingKey!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'changed_at', type: 'bigint', transformer: epochMs })
  changedAt!: Date;
}
