import { Init1795900000000 } from './1795900000000-init.js';
import { IdempotencyKeys1795910000000 } from './1795910000000-idempotency-keys.js';
import { OutboxRecipientHash1796010000000 } from './1796010000000-outbox-recipient-hash.js';
import { UserIdpLinks1796011000000 } from './1796011000000-user-idp-links.js';

/** Every migration, in order. Listed explicitly: no globbing, the same in src and dist. */
export const MIGRATIONS: Function[] = [
  Init1795900000000,
  IdempotencyKeys1795910000000,
  OutboxRecipientHash1796010000000,
  UserIdpLinks1796011000000,
];
