import { ActionCallEntity } from './action-call.entity.js';
import { ActionExecutionEntity, ActionStateEntity } from './action-execution.entity.js';
import { ActionFanoutEntities } from './action-fanout.entity.js';
import { ActionTargetEntity } from './action-target.entity.js';
import { EmailCodeEntity } from './email-code.entity.js';
import { EmailUndoTokenEntity } from './email-undo-token.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { MembershipEntity } from './membership.entity.js';
import { MessageTextEntity, MessageTextRevisionEntity } from './message-text.entity.js';
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
  MessageTextEntity,
  MessageTextRevisionEntity,
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
  MessageTextEntity,
  MessageTextRevisionEntity,
  ActionTargetEntity,
  ActionExecutionEntity,
  ActionStateEntity,
  ActionCallEntity,
  EmailUndoTokenEntity,
  UserIdpLinkEntity,
];

/** The entities of one database: ENTITIES and the tables whose key type differs between them. */
export const entitiesFor = (db: 'sqlite' | 'postgres') => [...ENTITIES, ActionFanoutEntities[db]];
