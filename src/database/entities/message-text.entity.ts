import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMs } from '../columns.js';

/**
 * A custom message text (ZITADEL's MessageCustomText) of one message type and language, for an
 * organisation or, with INSTANCE_SCOPE, for the instance. An empty field is not set: it falls
 * through to the next level when mails are rendered.
 */
@Entity('message_texts')
export class MessageTextEntity {
  /** An organisation ID, or INSTANCE_SCOPE. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  scope!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  type!: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  language!: string;

  @Column({ type: 'text' }) title!: string;
  @Column({ name: 'pre_header', type: 'text' }) preHeader!: string;
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text' }) greeting!: string;
  @Column({ type: 'text' }) text!: string;
  @Column({ name: 'button_text', type: 'text' }) buttonText!: string;
  @Column({ name: 'footer_text', type: 'text' }) footerText!: string;

  /** Changes of this row, for ZITADEL's `details.sequence`. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  sequence!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'changed_at', type: 'bigint', transformer: epochMs })
  changedAt!: Date;
}

/**
 * One row counting every change of message texts. Writers bump it in their transaction; each
 * process compares it with the revision its cache was filled at, so a change made through one
 * instance reaches the mails of all of them within the check interval.
 */
@Entity('message_text_revision')
export class MessageTextRevisionEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  revision!: number;
}
