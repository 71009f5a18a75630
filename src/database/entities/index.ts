import { ActionCallEntity } from './action-call.entity.js';
import { ActionExecutionEntity, ActionStateEntity } from './action-execution.entity.js';
import { ActionTargetEntity } from './action-target.entity.js';
import { EmailCodeEntity } from './email-code.entity.js';
import { EmailUndoTokenEntity } from './email-undo-token.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { MembershipEntity } from './membership.entity.js';
import { OrganizationEntity } from './organization.entity.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import { UserEventEntity } from './user-event.entity.js';
import { UserIdpLinkEntity } from './user-idp-link.entity.js';
import { UserEntity } from './user.entity.js';

export {
  ActionCallEntity,
  ActionExecutionEntity,
  ActionStateEntity,
  ActionTargetEntity,
  EmailCodeEntity,
  EmailUndoTokenEntity,
  IdempotencyKeyEntity,
  MembershipEntity,
  OrganizationEntity,
  OutboxMessageEntity,
  PersonalAccessTokenEntity,
  UserEventEntity,
  UserEntity,
  UserIdpLinkEntity,
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
  ActionTargetEntity,
  ActionExecutionEntity,
  ActionStateEntity,
  ActionCallEntity,
  EmailUndoTokenEntity,
  UserIdpLinkEntity,
];
