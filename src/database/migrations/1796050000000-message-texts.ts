import { dualMigration } from './dual-migration.js';

/** Message texts (spec §8): the user's language, custom texts per organisation and instance, and their revision counter. */
export const MessageTexts1796050000000 = dualMigration('MessageTexts1796050000000', {
  sqlite: {
    up: [
      `CREATE TABLE "message_texts" ("scope" varchar(200) NOT NULL, "type" varchar(40) NOT NULL, "language" varchar(10) NOT NULL, "title" text NOT NULL, "pre_header" text NOT NULL, "subject" text NOT NULL, "greeting" text NOT NULL, "text" text NOT NULL, "button_text" text NOT NULL, "footer_text" text NOT NULL, "sequence" bigint NOT NULL, "created_at" bigint NOT NULL, "changed_at" bigint NOT NULL, PRIMARY KEY ("scope", "type", "language"))`,
      `CREATE TABLE "message_text_revision" ("id" integer PRIMARY KEY NOT NULL, "revision" bigint NOT NULL)`,
      `INSERT INTO "message_text_revision" ("id", "revision") VALUES (1, 0)`,
      // ALTER instead of the generated table rebuild: the same resulting schema, without copying every user
      `ALTER TABLE "users" ADD COLUMN "preferred_language" varchar(10) NOT NULL DEFAULT ('')`,
    ],
    down: [`ALTER TABLE "users" DROP COLUMN "preferred_language"`, `DROP TABLE "message_text_revision"`, `DROP TABLE "message_texts"`],
  },
  postgres: {
    up: [
      `CREATE TABLE "message_texts" ("scope" character varying(200) NOT NULL, "type" character varying(40) NOT NULL, "language" character varying(10) NOT NULL, "title" text NOT NULL, "pre_header" text NOT NULL, "subject" text NOT NULL, "greeting" text NOT NULL, "text" text NOT NULL, "button_text" text NOT NULL, "footer_text" text NOT NULL, "sequence" bigint NOT NULL, "created_at" bigint NOT NULL, "changed_at" bigint NOT NULL, CONSTRAINT "PK_bdc2ed22378d40bf1f98ecfa0db" PRIMARY KEY ("scope", "type", "language"))`,
      `CREATE TABLE "message_text_revision" ("id" integer NOT NULL, "revision" bigint NOT NULL, CONSTRAINT "PK_be7bfbf9f71eb5579527d61f35c" PRIMARY KEY ("id"))`,
      `INSERT INTO "message_text_revision" ("id", "revision") VALUES (1, 0)`,
      `ALTER TABLE "users" ADD "preferred_language" character varying(10) NOT NULL DEFAULT ''`,
    ],
    down: [`ALTER TABLE "users" DROP COLUMN "preferred_language"`, `DROP TABLE "message_text_revision"`, `DROP TABLE "message_texts"`],
  },
});
