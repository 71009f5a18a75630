import { dualMigration } from './dual-migration.js';

/**
 * spec §9: the index that finds an earlier undelivered call to the same target (a target that gets
 * its calls one at a time, in order: restCall, restWebhook) holds the calls of such targets only.
 * A call to a restAsync target (the usual target of event executions) so writes one index fewer
 * in the change's transaction. The claim's lookup names the same condition (`ordered = TRUE`),
 * which is what lets both databases use a partial index.
 */
export const ActionCallsOrderedIndex1796090000000 = dualMigration('ActionCallsOrderedIndex1796090000000', {
  sqlite: {
    up: [
      `DROP INDEX "ix_action_calls_target"`,
      `CREATE INDEX "ix_action_calls_target" ON "action_calls" ("target_id", "status", "id") WHERE "ordered" = TRUE`,
    ],
    down: [`DROP INDEX "ix_action_calls_target"`, `CREATE INDEX "ix_action_calls_target" ON "action_calls" ("target_id", "status", "id") `],
  },
  postgres: {
    up: [
      `DROP INDEX "public"."ix_action_calls_target"`,
      `CREATE INDEX "ix_action_calls_target" ON "action_calls" ("target_id", "status", "id") WHERE "ordered" = TRUE`,
    ],
    down: [
      `DROP INDEX "public"."ix_action_calls_target"`,
      `CREATE INDEX "ix_action_calls_target" ON "action_calls" ("target_id", "status", "id") `,
    ],
  },
});
