import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

@Entity('personal_access_tokens')
@Index('ix_pats_user', ['userId'])
export class PersonalAccessTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  /** SHA-256 of the token; the token itself is never stored. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt!: Date | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
