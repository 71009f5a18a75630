import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { requestInvalid } from '../common/errors/app-error.js';
import { CheckedInput, Msg, ProtoMessage, ProtoString, RuneLength } from '../common/request/validation.js';
import type { ActionTargetType } from '../database/entities/action-target.entity.js';
import { DELIVERY_STATES } from '../outbox/deliveries.input.js';

export const TARGET_TYPES: readonly ActionTargetType[] = ['restWebhook', 'restCall', 'restAsync'];
/** ZITADEL's bound on a target's timeout. */
const MAX_TIMEOUT_MS = 270_000;

/** A protobuf Duration in its JSON form ("10s", "1.5s") → milliseconds, or null when malformed. */
export function durationMs(v: string): number | null {
  const m = /^(-?)(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(v);
  if (!m) return null;
  const ms = Number(m[2]) * 1000 + Math.round(Number(`0.${m[3] ?? '0'}`) * 1000);
  return m[1] ? -ms : ms;
}

/** Milliseconds → the Duration JSON form ZITADEL answers with ("10s", "1.500s"). */
export const durationJson = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`);

function checkTimeout(message: string, timeout: string | undefined, required: boolean): void {
  if (timeout === undefined) {
    if (required) throw requestInvalid(`invalid ${message}.Timeout: value is required`);
    return;
  }
  const ms = durationMs(timeout);
  if (ms === null) throw requestInvalid(`invalid ${message}.Timeout: value must be a duration such as "10s"`);
  if (ms <= 0 || ms > MAX_TIMEOUT_MS) throw requestInvalid(`invalid ${message}.Timeout: value must be inside range (0s, 270s]`);
}

const typeField = () => (target: object, key: string | symbol) => {
  Field(() => String, { nullable: true, description: TARGET_TYPES.join(', ') })(target, key);
  IsOptional()(target, key);
  IsIn(TARGET_TYPES as string[], { message: `value must be one of ${TARGET_TYPES.join(', ')}` })(target, key);
};

@ProtoMessage('CreateTargetRequest')
@InputType('CreateActionTargetInput')
export class CreateTargetInput implements CheckedInput {
  @Field(() => String)
  @ProtoString(1, 1000)
  name!: string;

  @typeField()
  targetType?: ActionTargetType;

  @Field(() => Boolean, { nullable: true, description: 'restWebhook and restCall only' })
  @IsOptional()
  @IsBoolean({ message: Msg.bool })
  interruptOnError?: boolean;

  @Field(() => String, { description: 'Duration as in protobuf JSON, e.g. "10s" (at most 270s)' })
  @IsOptional()
  @ProtoString(1, 40)
  timeout?: string;

  @Field(() => String)
  @ProtoString(1, 1000)
  endpoint!: string;

  get timeoutMs(): number {
    return durationMs(this.timeout!)!;
  }

  checkInput(): void {
    if (!this.targetType) throw requestInvalid('invalid CreateTargetRequest.TargetType: value is required');
    checkTimeout('CreateTargetRequest', this.timeout, true);
  }
}

@ProtoMessage('UpdateTargetRequest')
@InputType('UpdateActionTargetInput')
export class UpdateTargetInput implements CheckedInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @ProtoString(1, 1000)
  name?: string;

  @typeField()
  targetType?: ActionTargetType;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean({ message: Msg.bool })
  interruptOnError?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @ProtoString(1, 40)
  timeout?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @ProtoString(1, 1000)
  endpoint?: string;

  @Field(() => String, { nullable: true, description: 'Rotates the signing key; only "0s" (at once) is supported, as in ZITADEL' })
  @IsOptional()
  @ProtoString(1, 40)
  expirationSigningKey?: string;

  get timeoutMs(): number | undefined {
    return this.timeout === undefined ? undefined : durationMs(this.timeout)!;
  }

  checkInput(): void {
    checkTimeout('UpdateTargetRequest', this.timeout, false);
    if (this.expirationSigningKey !== undefined && durationMs(this.expirationSigningKey) === null)
      throw requestInvalid('invalid UpdateTargetRequest.ExpirationSigningKey: value must be a duration such as "0s"');
  }
}

@ProtoMessage('GetTargetRequest')
export class TargetIdInput {
  @ProtoString(1, 200)
  id!: string;
}

@ProtoMessage('ListTargetsRequest')
@InputType('ActionTargetsFilter')
export class ListTargetsInput {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'value must be an integer' })
  @Min(0, { message: 'value must be greater than or equal to 0' })
  offset?: number;

  @Field(() => Int, { nullable: true, description: 'At most 1000; 100 when omitted' })
  @IsOptional()
  @IsInt({ message: 'value must be an integer' })
  @Min(0, { message: 'value must be greater than or equal to 0' })
  @Max(1000, { message: 'value must be less than or equal to 1000' })
  limit?: number;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean({ message: Msg.bool })
  asc?: boolean;

  @Field(() => String, { nullable: true, description: 'Only the target of this name' })
  @IsOptional()
  @ProtoString(0, 1000)
  targetName?: string;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray({ message: 'value must be a list' })
  @ArrayMaxSize(1000, { message: 'value must contain at most 1000 items' })
  targetIds?: string[];
}

@ProtoMessage('EventExecution')
@InputType('ActionConditionInput', { description: 'One of event, group or all; request, response and function answer 12' })
export class ConditionInput {
  @Field(() => String, { nullable: true, description: 'An event type, e.g. user.human.email.verified' })
  @IsOptional()
  @ProtoString(1, 1000)
  event?: string;

  @Field(() => String, { nullable: true, description: 'A group of events, e.g. user.human.email' })
  @IsOptional()
  @ProtoString(1, 1000)
  group?: string;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean({ message: Msg.bool })
  all?: boolean;

  /** request, response or function: ZITADEL has them, this service does not. */
  @Field(() => String, { nullable: true, description: 'request, response or function (not supported: 12)' })
  @IsOptional()
  @IsIn(['request', 'response', 'function'], { message: 'value must be one of request, response, function' })
  unsupported?: 'request' | 'response' | 'function';
}

@ProtoMessage('SetExecutionRequest')
@InputType('SetActionExecutionInput')
export class SetExecutionInput {
  @Field(() => ConditionInput)
  @IsObject({ message: Msg.object })
  @ValidateNested()
  @Type(() => ConditionInput)
  condition!: ConditionInput;

  @Field(() => [ID], { description: 'Targets in call order; an empty list removes the execution' })
  @IsArray({ message: 'value must be a list' })
  @ArrayMaxSize(100, { message: 'value must contain at most 100 items' })
  @IsString({ each: true, message: Msg.string })
  @RuneLength(1, 200, { each: true })
  targets!: string[];
}

@ProtoMessage('ListExecutionsRequest')
@InputType('ActionExecutionsFilter')
export class ListExecutionsInput {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'value must be an integer' })
  @Min(0, { message: 'value must be greater than or equal to 0' })
  offset?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'value must be an integer' })
  @Min(0, { message: 'value must be greater than or equal to 0' })
  @Max(1000, { message: 'value must be less than or equal to 1000' })
  limit?: number;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean({ message: Msg.bool })
  asc?: boolean;

  @Field(() => ID, { nullable: true, description: 'Only executions that call this target' })
  @IsOptional()
  @ProtoString(1, 200)
  targetId?: string;
}

@ProtoMessage('ListActionDeliveriesRequest')
@InputType('ActionDeliveriesFilter')
export class ListActionDeliveriesInput {
  @Field(() => String, { nullable: true, description: DELIVERY_STATES.join(', ') })
  @IsOptional()
  @IsIn(DELIVERY_STATES as unknown as string[], { message: `value must be one of ${DELIVERY_STATES.join(', ')}` })
  state?: (typeof DELIVERY_STATES)[number];

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @ProtoString(1, 200)
  targetId?: string;
}

@ProtoMessage('RequeueActionDeliveryRequest')
export class ActionDeliveryIdInput {
  @ProtoString(1, 20)
  id!: string;
}
