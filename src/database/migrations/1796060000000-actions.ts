import { dualMigration } from './dual-migration.js';

/** Actions (spec §9): targets, event executions, their version row, and the calls to deliver. */
export const Actions1796060000000 = dualMigration('Actions1796060000000', {
  sqlite: {
    up: [
      `CREATE TABLE "action_calls" ("id" varchar(20) PRIMARY KEY NOT NULL, "target_id" varchar(20) NOT NULL, "ordered" boolean NOT NULL DEFAULT (0), "event_type" varchar(100) NOT NULL, "aggregate_id" varchar(200) NOT NULL, "payload" text, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" bigint NOT NULL, "locked_until" bigint, "last_error" varchar(1000), "created_at" bigint NOT NULL, "sent_at" bigint)`,
      `CREATE INDEX "ix_action_calls_target" ON "action_calls" ("target_id", "status", "id")`,
      `CREATE INDEX "ix_action_calls_due" ON "action_calls" ("status", "next_attempt_at")`,
      `CREATE TABLE "action_executions" ("id" varchar(300) PRIMARY KEY NOT NULL, "targets" text NOT NULL, "created_at" bigint NOT NULL, "changed_at" bigint NOT NULL)`,
      `CREATE TABLE "action_state" ("id" integer PRIMARY KEY NOT NULL, "version" bigint NOT NULL)`,
      `CREATE TABLE "action_targets" ("id" varchar(20) PRIMARY KEY NOT NULL, "name" varchar(1000) NOT NULL, "target_type" varchar(16) NOT NULL, "interrupt_on_error" boolean NOT NULL DEFAULT (0), "endpoint" varchar(1000) NOT NULL, "timeout_ms" integer NOT NULL, "signing_key" text NOT NULL, "created_at" bigint NOT NULL, "changed_at" bigint NOT NULL, CONSTRAINT "UQ_8a23f1a337633e034bc4ad867dd" UNIQUE ("name"))`,
      `INSERT INTO "action_state" ("id", "version") VALUES (1, 0)`,
    ],
    down: [
      `DROP TABLE "action_targets"`,
      `DROP TABLE "action_state"`,
      `DROP TABLE "action_executions"`,
      `DROP INDEX "ix_action_calls_due"`,
      `DROP INDEX "ix_action_calls_target"`,
      `DROP TABLE "action_calls"`,
    ],
  },
  postgres: {
    up: [
      `CREATE TABLE "action_calls" ("id" character varying(20) NOT NULL, "target_id" character varying(20) NOT NULL, "ordered" boolean NOT NULL DEFAULT false, "event_type" character varying(100) NOT NULL, "aggregate_id" character varying(200) NOT NULL, "payload" text, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" bigint NOT NULL, "locked_until" bigint, "last_error" character varying(1000), "created_at" bigint NOT NULL, "sent_at" bigint, CONSTRAINT "PK_76ef041f1161f362b69547cb87e" PRIMARY KEY ("id"))`,
      `CREATE INDEX "ix_action_calls_target" ON "action_calls"  ("target_id", "status", "id")`,
      `CREATE INDEX "ix_action_calls_due" ON "action_calls"  ("status", "next_attempt_at")`,
      `CREATE TABLE "action_executions" ("id" character varying(300) NOT NULL, "targets" text NOT NULL, "created_at" bigint NOT NULL, "changed_at" bigint NOT NULL, CONSTRAINT "PK_fce9d8d5b8fcce44bf4598f2bf2" PRIMARY KEY ("id"))`,
      `CREATE TABLE "action_state" ("id" integer NOT NULL, "version" bigint NOT NULL, CONSTRAINT "PK_02b297d2ae457bd51aaccc320fb" PRIMARY KEY ("id"))`,
      `CREATE TABLE "action_targets" ("id" character varying(20) NOT NULL, "name" character varying(1000) NOT NULL, "target_type" character varying(16) NOT NULL, "interrupt_on_error" boolean NOT NULL DEFAULT false, "endpoint" character varying(1000) NOT NULL, "timeout_ms" integer NOT NULL, "signing_key" text NOT NULL, "created_at" bigint NOT NULL, "changed_at" bigint NOT NULL, CONSTRAINT "UQ_8a23f1a337633e034bc4ad867dd" UNIQUE ("name"), CONSTRAINT "PK_1feefbad3ece4e548f55eb8d4ae" PRIMARY KEY ("id"))`,
      `INSERT INTO "action_state" ("id", "version") VALUES (1, 0)`,
      // appended with every subscribed event and updated as calls are delivered: vacuumed as mail_outbox is (1796030000000)
      `ALTER TABLE "action_calls" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 50000, autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 50000)`,
    ],
    down: [
      `DROP TABLE "action_targets"`,
      `DROP TABLE "action_state"`,
      `DROP TABLE "action_executions"`,
      `DROP INDEX "public"."ix_action_calls_due"`,
      `DROP INDEX "public"."ix_action_calls_target"`,
      `DROP TABLE "action_calls"`,
    ],
  },
});
