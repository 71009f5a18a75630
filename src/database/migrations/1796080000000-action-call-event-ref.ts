import { dualMigration } from './dual-migration.js';

/**
 * spec §9: an action call names its event (the user's event log row) instead of carrying a sealed
 * copy of the request body; the worker builds the body from the event at each attempt. Calls
 * written before keep their sealed body (payload) and are delivered from it.
 */
export const ActionCallEventRef1796080000000 = dualMigration('ActionCallEventRef1796080000000', {
  sqlite: {
    up: [`ALTER TABLE "action_calls" ADD COLUMN "event_sequence" bigint`],
    down: [`ALTER TABLE "action_calls" DROP COLUMN "event_sequence"`],
  },
  postgres: {
    up: [`ALTER TABLE "action_calls" ADD "event_sequence" bigint`],
    down: [`ALTER TABLE "action_calls" DROP COLUMN "event_sequence"`],
  },
});
