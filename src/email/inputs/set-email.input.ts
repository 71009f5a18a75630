import { Field, ID, InputType } from '@nestjs/graphql';
import { Equals, IsBoolean, IsOptional, IsString } from 'class-validator';
import { CheckedInput, InputChecks, IsPgvEmail, Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';
import { IdempotencyKeyField } from './idempotency.js';
import { ReturnCodeField, SendCodeField, SendCodeInput, Verification, verificationOf, WithVerification } from './verification.js';

@ProtoMessage('SetEmailRequest')
@InputType('SetContactEmailInput')
export class SetEmailInput implements WithVerification, CheckedInput {
  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;

  @Field(() => String)
  @IsPgvEmail()
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  email!: string;

  @SendCodeField()
  sendCode?: SendCodeInput;

  @ReturnCodeField()
  returnCode?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Store the email as verified; must be true when given' })
  @IsOptional()
  @Equals(true, { message: Msg.mustBeTrue })
  @IsBoolean({ message: Msg.bool })
  isVerified?: boolean;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  get verification(): Verification {
    return verificationOf(this, 'SetEmailRequest', true);
  }

  checkInput(checks: InputChecks): void {
    const v = this.verification;
    if (v.kind === 'send' && v.urlTemplate !== undefined) checks.urlTemplate(v.urlTemplate);
  }
}
