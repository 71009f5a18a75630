import { Init1795900000000 } from './1795900000000-init.js';
import { IdempotencyKeys1795910000000 } from './1795910000000-idempotency-keys.js';
import { CodeAttemptsPerSource1796000000000 } from './1796000000000-code-attempts-per-source.js';
import { OutboxRecipientHash1796010000000 } from './1796010000000-outbox-recipient-hash.js';
import { UserIdpLinks1796011000000 } from './1796011000000-user-idp-links.js';
import { GrowingTables1796030000000 } from './1796030000000-growing-tables.js';
import { MessageTexts1796050000000 } from './1796050000000-message-texts.js';
import { Actions1796060000000 } from './1796060000000-actions.js';
import { SafeEmailChange1796070000000 } from './1796070000000-safe-email-change.js';
import { ActionCallEventRef1796080000000 } from './1796080000000-action-call-event-ref.js';
import { ActionCallsOrderedIndex1796090000000 } from './1796090000000-action-calls-ordered-index.js';
import { ActionFanout1796100000000 } from './1796100000000-action-fanout.js';

/**
 * Every migration, in order. Listed explicitly: no globbing, the same in src and dist.
 * One entry a line, in timestamp order, so that branches adding migrations merge cleanly.
 */
export const MIGRATIONS: Function[] = [
  Init1795900000000,
  IdempotencyKeys1795910000000,
  CodeAttemptsPerSource1796000000000,
  OutboxRecipientHash1796010000000,
  UserIdpLinks1796011000000,
  GrowingTables1796030000000,
  MessageTexts1796050000000,
  Actions1796060000000,
  SafeEmailChange1796070000000,
  ActionCallEventRef1796080000000,
  ActionCallsOrderedIndex1796090000000,
  ActionFanout1796100000000,
];
