import { EmailCodeEntity } from './email-code.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { MembershipEntity } from './membership.entity.js';
import { MessageTextEntity, MessageTextRevisionEntity } from './message-text.entity.js';
import { OrganizationEntity } from './organization.entity.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import { UserEventEntity } from './user-event.entity.js';
import { UserEntity } from './user.entity.js';

export {
  EmailCodeEntity,
  IdempotencyKeyEntity,
  MembershipEntity,
  MessageTextEntity,
  MessageTextRevisionEntity,
  OrganizationEntity,
  OutboxMessageEntity,
  PersonalAccessTokenEntity,
  UserEventEntity,
  UserEntity,
};

export const ENTITIES = [
  OrganizationEntity,
  UserEntity,
  MembershipEntity,
  PersonalAccessTokenEntity,
  UserEventEntity,
  EmailCodeEntity,
  OutboxMessageEntity,
  IdempotencyKeyEntity,
  MessageTextEntity,
  MessageTextRevisionEntity,
];
