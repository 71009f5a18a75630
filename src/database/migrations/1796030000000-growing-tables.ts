import { dualMigration } from './dual-migration.js';

/**
 * PostgreSQL storage settings for tables that only grow or are rewritten on every request
 * (SQLite has no such settings: nothing to do there). The schema is unchanged, so entities and
 * `migration:check` are untouched.
 *  - users, email_codes: every SetEmail updates the caller's target row (no indexed column
 *    changes). With room left in each page (fillfactor 80) the new row version stays on the
 *    page as a HOT update, so the indexes are not touched and the table does not bloat between
 *    vacuums.
 *  - user_events, mail_outbox: appended on every change, so the default thresholds (a fifth of
 *    the table) mean ever rarer vacuums and analyses as they grow. Fixed thresholds instead
 *    (scale factor 0): the visibility map and statistics stay fresh and freezing happens in small
 *    steps, not as one long anti-wraparound vacuum of the whole table; mail_outbox's status
 *    updates (pending → sending → sent) leave dead rows that are vacuumed every 10,000.
 */
export const GrowingTables1796030000000 = dualMigration('GrowingTables1796030000000', {
  sqlite: { up: [], down: [] },
  postgres: {
    up: [
      `ALTER TABLE "users" SET (fillfactor = 80)`,
      `ALTER TABLE "email_codes" SET (fillfactor = 80)`,
      `ALTER TABLE "user_events" SET (autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 100000, autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 100000)`,
      `ALTER TABLE "mail_outbox" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 50000, autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 50000)`,
    ],
    down: [
      `ALTER TABLE "mail_outbox" RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold, autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)`,
      `ALTER TABLE "user_events" RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold, autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)`,
      `ALTER TABLE "email_codes" RESET (fillfactor)`,
      `ALTER TABLE "users" RESET (fillfactor)`,
    ],
  },
});
