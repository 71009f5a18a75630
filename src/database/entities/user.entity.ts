import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMs } from '../columns.js';

export type UserState = 'active' | 'inactive' | 'deleted' | 'locked';
export type UserType = 'human' | 'machine';

@Entity('users')
@Index('uq_users_org_username', ['orgId', 'username'], { unique: true })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  id!: string;

  /** The resource owner. */
  @Column({ name: 'org_id', type: 'varchar', length: 200 })
  orgId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: UserType;

  @Column({ type: 'varchar', length: 16 })
  state!: UserState;

  @Column({ type: 'varchar', length: 200 })
  username!: string;

  @Column({ name: 'given_name', type: 'varchar', length: 200 })
  givenName!: string;

  @Column({ name: 'family_name', type: 'varchar', length: 200 })
  familyName!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  /** ZITADEL's profile.nickName; empty when unset. */
  @Column({ name: 'nick_name', type: 'varchar', length: 200, default: '' })
  nickName!: string;

  /** ZITADEL's zitadel.user.v2.Gender number (0 = unspecified). */
  @Column({ type: 'integer', default: 0 })
  gender!: number;

  /** ZITADEL's profile.preferredLanguage (BCP 47); empty when unset. */
  @Column({ name: 'preferred_language', type: 'varchar', length: 10, default: '' })
  preferredLanguage!: string;

  @Column({ type: 'varchar', length: 200 })
  email!: string;

  /** spec §10 verify-first: the new address, waiting for its code; null when none is pending. */
  @Column({ name: 'pending_email', type: 'varchar', length: 200, nullable: true })
  pendingEmail!: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  /** Sequence of the user's last event; the optimistic-concurrency version of this row. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  sequence!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'changed_at', type: 'bigint', transformer: epochMs })
  changedAt!: Date;
}
