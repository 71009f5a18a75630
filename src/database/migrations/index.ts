import { Init1795900000000 } from './1795900000000-init.js';
import { IdempotencyKeys1795910000000 } from './1795910000000-idempotency-keys.js';
import { SafeEmailChange1796070000000 } from './1796070000000-safe-email-change.js';
import { UserPreferredLanguage1796070000001 } from './1796070000001-user-preferred-language.js';

/** Every migration, in order. Listed explicitly: no globbing, the same in src and dist. */
export const MIGRATIONS: Function[] = [
  Init1795900000000,
  IdempotencyKeys1795910000000,
  SafeEmailChange1796070000000,
  UserPreferredLanguage1796070000001,
];
