import { dualMigration } from './dual-migration.js';

/**
 * spec §10: the undo links of replaced addresses, the pending address of verify-first mode, and
 * the profile fields UpdateUser sets (nick name, gender). Columns are added in place (ALTER
 * TABLE … ADD COLUMN on SQLite too), so other migrations adding columns to `users` merge cleanly.
 */
export const SafeEmailChange1796070000000 = dualMigration('SafeEmailChange1796070000000', {
  sqlite: {
    up: [
      `CREATE TABLE "email_undo_tokens" ("id" varchar(20) PRIMARY KEY NOT NULL, "user_id" varchar(200) NOT NULL, "token_hash" varchar(64) NOT NULL, "previous_email" varchar(200) NOT NULL, "new_email" varchar(200) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "UQ_40f94ed51902da92435d2eb61de" UNIQUE ("token_hash"))`,
      `CREATE INDEX "ix_email_undo_tokens_user" ON "email_undo_tokens" ("user_id")`,
      `ALTER TABLE "users" ADD COLUMN "nick_name" varchar(200) NOT NULL DEFAULT ('')`,
      `ALTER TABLE "users" ADD COLUMN "gender" integer NOT NULL DEFAULT (0)`,
      `ALTER TABLE "users" ADD COLUMN "pending_email" varchar(200)`,
    ],
    down: [
      `ALTER TABLE "users" DROP COLUMN "pending_email"`,
      `ALTER TABLE "users" DROP COLUMN "gender"`,
      `ALTER TABLE "users" DROP COLUMN "nick_name"`,
      `DROP INDEX "ix_email_undo_tokens_user"`,
      `DROP TABLE "email_undo_tokens"`,
    ],
  },
  postgres: {
    up: [
      `CREATE TABLE "email_undo_tokens" ("id" character varying(20) NOT NULL, "user_id" character varying(200) NOT NULL, "token_hash" character varying(64) NOT NULL, "previous_email" character varying(200) NOT NULL, "new_email" character varying(200) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "UQ_40f94ed51902da92435d2eb61de" UNIQUE ("token_hash"), CONSTRAINT "PK_d71bb9843e86e8e8098b6a23f1e" PRIMARY KEY ("id"))`,
      `CREATE INDEX "ix_email_undo_tokens_user" ON "email_undo_tokens"  ("user_id")`,
      `ALTER TABLE "users" ADD "nick_name" character varying(200) NOT NULL DEFAULT ''`,
      `ALTER TABLE "users" ADD "gender" integer NOT NULL DEFAULT '0'`,
      `ALTER TABLE "users" ADD "pending_email" character varying(200)`,
    ],
    down: [
      `ALTER TABLE "users" DROP COLUMN "pending_email"`,
      `ALTER TABLE "users" DROP COLUMN "gender"`,
      `ALTER TABLE "users" DROP COLUMN "nick_name"`,
      `DROP INDEX "public"."ix_email_undo_tokens_user"`,
      `DROP TABLE "email_undo_tokens"`,
    ],
  },
});
