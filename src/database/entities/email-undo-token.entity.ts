import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

/**
 * spec §10: the single-use link in the notice to a replaced verified address. Only a keyed hash
 * of the token is stored; the row remembers which address the link restores.
 */
@Entity('email_undo_tokens')
@Index('ix_email_undo_tokens_user', ['userId'])
export class EmailUndoTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  /** HMAC-SHA-256 of the token (the key of CODE_HMAC_KEY). */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  /** The verified address the link restores. */
  @Column({ name: 'previous_email', type: 'varchar', length: 200 })
  previousEmail!: string;

  /** The address that replaced it, told when the change is undone. */
  @Column({ name: 'new_email', type: 'varchar', length: 200 })
  newEmail!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: Date;

  /** Set when the link was used, or voided by a later undo. */
  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: Date | null;
}
