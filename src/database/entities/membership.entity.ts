import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

/** Scope of instance-wide memberships (IAM_OWNER). */
export const INSTANCE_SCOPE = 'IAM';

@Entity('memberships')
@Index('ix_memberships_user', ['userId'])
export class MembershipEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  /** An organisation ID, or INSTANCE_SCOPE. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  scope!: string;

  @Column({ type: 'simple-array' })
  roles!: string[];

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
