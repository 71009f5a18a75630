import { dualMigration } from './dual-migration.js';

/**
 * spec §7.6: the keyed hash of each mail's normalised recipient, so the per-address daily cap
 * is one indexed count across all users (and the address itself is not the lookup key).
 */
export const OutboxRecipientHash1796010000000 = dualMigration('OutboxRecipientHash1796010000000', {
  sqlite: {
    up: [
      `ALTER TABLE "mail_outbox" ADD COLUMN "recipient_hash" varchar(64)`,
      `CREATE INDEX "ix_mail_outbox_recipient" ON "mail_outbox" ("recipient_hash", "created_at")`,
    ],
    down: [`DROP INDEX "ix_mail_outbox_recipient"`, `ALTER TABLE "mail_outbox" DROP COLUMN "recipient_hash"`],
  },
  postgres: {
    up: [
      `ALTER TABLE "mail_outbox" ADD "recipient_hash" character varying(64)`,
      `CREATE INDEX "ix_mail_outbox_recipient" ON "mail_outbox" ("recipient_hash", "created_at")`,
    ],
    down: [`DROP INDEX "public"."ix_mail_outbox_recipient"`, `ALTER TABLE "mail_outbox" DROP COLUMN "recipient_hash"`],
  },
});
