import { dualMigration } from './dual-migration.js';

/** Idempotency-Key: completed requests and the response to replay (spec §5). */
export const IdempotencyKeys1795910000000 = dualMigration('IdempotencyKeys1795910000000', {
  sqlite: {
    up: [
      `CREATE TABLE "idempotency_keys" ("caller_id" varchar(200) NOT NULL, "key" varchar(200) NOT NULL, "operation" varchar(50) NOT NULL, "request_hash" varchar(64) NOT NULL, "response" text NOT NULL, "created_at" bigint NOT NULL, PRIMARY KEY ("caller_id", "key"))`,
      `CREATE INDEX "ix_idempotency_keys_created" ON "idempotency_keys" ("created_at")`,
    ],
    down: [`DROP INDEX "ix_idempotency_keys_created"`, `DROP TABLE "idempotency_keys"`],
  },
  postgres: {
    up: [
      `CREATE TABLE "idempotency_keys" ("caller_id" character varying(200) NOT NULL, "key" character varying(200) NOT NULL, "operation" character varying(50) NOT NULL, "request_hash" character varying(64) NOT NULL, "response" text NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_bdf4460bde873b9f9d38fbd2da0" PRIMARY KEY ("caller_id", "key"))`,
      `CREATE INDEX "ix_idempotency_keys_created" ON "idempotency_keys"  ("created_at")`,
    ],
    down: [`DROP INDEX "public"."ix_idempotency_keys_created"`, `DROP TABLE "idempotency_keys"`],
  },
});
