import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

/** The one pending verification code of a user's email, stored only as a keyed hash. */
@Entity('email_codes')
export class EmailCodeEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  /** The address the code was issued for. */
  @Column({ type: 'varchar', length: 200 })
  email!: string;

  @Column({ name: 'url_template', type: 'varchar', length: 200, nullable: true })
  urlTemplate!: string | null;

  /** Failed attempts from all sources (§7.4: EMAIL_CODE_MAX_TOTAL_ATTEMPTS of them invalidate the code). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Failed attempts per source (a keyed hash of the caller's user ID or the anonymous client's IP) → count, as JSON. */
  @Column({ name: 'source_attempts', type: 'text', default: '{}' })
  sourceAttempts!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: Date;
}
