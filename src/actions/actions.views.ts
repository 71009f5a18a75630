import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import type { ActionTargetType } from '../database/entities/action-target.entity.js';
import { durationJson } from './actions.inputs.js';
import type { EventCondition } from './action-events.js';

/** A target as GetTarget and ListTargets show it: never its signing key. */
@ObjectType('ActionTarget')
export class TargetView {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { description: 'restWebhook, restCall or restAsync' }) targetType!: ActionTargetType;
  @Field() interruptOnError!: boolean;
  @Field({ description: 'e.g. "10s"' }) timeout!: string;
  @Field() endpoint!: string;
  @Field(() => GraphQLISODateTime) creationDate!: Date;
  @Field(() => GraphQLISODateTime) changeDate!: Date;
}

@ObjectType('CreatedActionTarget')
export class CreatedTargetView {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLISODateTime) creationDate!: Date;
  @Field({ description: 'Shown once: keep it to verify the ZITADEL-Signature header' }) signingKey!: string;
}

@ObjectType('UpdatedActionTarget')
export class UpdatedTargetView {
  @Field(() => GraphQLISODateTime) changeDate!: Date;
  @Field(() => String, { nullable: true, description: 'The new key, when it was rotated' }) signingKey?: string;
}

@ObjectType('DeletedActionTarget')
export class DeletedTargetView {
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Empty when the target was already gone' }) deletionDate?: Date;
}

@ObjectType('ActionCondition')
export class ConditionView {
  @Field(() => String, { nullable: true }) event?: string;
  @Field(() => String, { nullable: true }) group?: string;
  @Field(() => Boolean, { nullable: true }) all?: boolean;
}

@ObjectType('ActionExecution')
export class ExecutionView {
  @Field(() => ConditionView) condition!: EventCondition;
  @Field(() => [ID]) targets!: string[];
  @Field(() => GraphQLISODateTime) creationDate!: Date;
  @Field(() => GraphQLISODateTime) changeDate!: Date;
}

@ObjectType('ActionExecutionSet')
export class SetExecutionView {
  @Field(() => GraphQLISODateTime) setDate!: Date;
}

export interface Page<T> {
  totalResult: number;
  appliedLimit: number;
  items: T[];
}

@ObjectType('ActionDelivery', { description: 'A call of a target for one event, and its delivery state' })
export class ActionDeliveryView {
  @Field(() => ID, { description: 'Also the Delivery-Id header the receiver gets' }) id!: string;
  @Field(() => ID) targetId!: string;
  @Field() eventType!: string;
  @Field(() => ID) aggregateId!: string;
  @Field({ description: 'pending, sending, retrying, sent or dead' }) state!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the next attempt is due (pending/retrying)' })
  nextAttemptAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) sentAt!: Date | null;
}

// ZITADEL's JSON (protojson) renderings for the REST routes: default values left out.

const ts = (d: Date | undefined) => d?.toISOString();

export const targetJson = (t: TargetView) => ({
  id: t.id,
  creationDate: ts(t.creationDate),
  changeDate: ts(t.changeDate),
  name: t.name,
  [t.targetType]: t.targetType !== 'restAsync' && t.interruptOnError ? { interruptOnError: true } : {},
  timeout: t.timeout,
  endpoint: t.endpoint,
});

export const conditionJson = (c: EventCondition) => ({ event: 'all' in c ? { all: true } : c });

export const executionJson = (e: ExecutionView) => ({
  creationDate: ts(e.creationDate),
  changeDate: ts(e.changeDate),
  condition: conditionJson(e.condition),
  ...(e.targets.length ? { targets: e.targets } : {}),
});

export const paginationJson = (p: Page<unknown>) => ({ totalResult: String(p.totalResult), appliedLimit: String(p.appliedLimit) });

export { durationJson };
