import { Init1795900000000 } from './1795900000000-init.js';
import { IdempotencyKeys1795910000000 } from './1795910000000-idempotency-keys.js';
import { CodeAttemptsPerSource1796000000000 } from './1796000000000-code-attempts-per-source.js';
import { GrowingTables1796030000000 } from './1796030000000-growing-tables.js';

/**
 * Every migration, in order. Listed explicitly: no globbing, the same in src and dist.
 * One entry a line, in timestamp order, so that branches adding migrations merge cleanly.
 */
export const MIGRATIONS: Function[] = [
  Init1795900000000,
  IdempotencyKeys1795910000000,
  CodeAttemptsPerSource1796000000000,
  GrowingTables1796030000000,
];
