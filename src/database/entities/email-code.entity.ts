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

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: Date;
}
