import { Init1795900000000 } from './1795900000000-init.js';
import { IdempotencyKeys1795910000000 } from './1795910000000-idempotency-keys.js';
import { MessageTexts1796050000000 } from './1796050000000-message-texts.js';

/** Every migration, in order. Listed explicitly: no globbing, the same in src and dist. */
export const MIGRATIONS: Function[] = [Init1795900000000, IdempotencyKeys1795910000000, MessageTexts1796050000000];
