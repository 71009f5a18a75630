import { dualMigration } from './dual-migration.js';

/** §7.4: failed VerifyEmail attempts counted per source on the pending code (strangers cannot kill a code). */
export const CodeAttemptsPerSource1796000000000 = dualMigration('CodeAttemptsPerSource1796000000000', {
  sqlite: {
    up: [
      `CREATE TABLE "temporary_email_codes" ("user_id" varchar(200) PRIMARY KEY NOT NULL, "code_hash" varchar(64) NOT NULL, "email" varchar(200) NOT NULL, "url_template" varchar(200), "attempts" integer NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "source_attempts" text NOT NULL DEFAULT ('{}'))`,
      `INSERT INTO "temporary_email_codes"("user_id", "code_hash", "email", "url_template", "attempts", "created_at", "expires_at") SELECT "user_id", "code_hash", "email", "url_template", "attempts", "created_at", "expires_at" FROM "email_codes"`,
      `DROP TABLE "email_codes"`,
      `ALTER TABLE "temporary_email_codes" RENAME TO "email_codes"`,
    ],
    down: [
      `ALTER TABLE "email_codes" RENAME TO "temporary_email_codes"`,
      `CREATE TABLE "email_codes" ("user_id" varchar(200) PRIMARY KEY NOT NULL, "code_hash" varchar(64) NOT NULL, "email" varchar(200) NOT NULL, "url_template" varchar(200), "attempts" integer NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL)`,
      `INSERT INTO "email_codes"("user_id", "code_hash", "email", "url_template", "attempts", "created_at", "expires_at") SELECT "user_id", "code_hash", "email", "url_template", "attempts", "created_at", "expires_at" FROM "temporary_email_codes"`,
      `DROP TABLE "temporary_email_codes"`,
    ],
  },
  postgres: {
    up: [`ALTER TABLE "email_codes" ADD "source_attempts" text NOT NULL DEFAULT '{}'`],
    down: [`ALTER TABLE "email_codes" DROP COLUMN "source_attempts"`],
  },
});
