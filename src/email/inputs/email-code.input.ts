import { Field, ID, InputType } from '@nestjs/graphql';
import { IsString } from 'class-validator';
import { CheckedInput, InputChecks, Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';
import { IdempotencyKeyField } from './idempotency.js';
import { ReturnCodeField, SendCodeField, SendCodeInput, Verification, verificationOf, WithVerification } from './verification.js';

/** ResendEmailCode and SendEmailCode take the same input: how to deliver the new code. */
@InputType({ isAbstract: true })
abstract class EmailCodeInput implements WithVerification, CheckedInput {
  protected abstract readonly protoName: string;

  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;

  @SendCodeField()
  sendCode?: SendCodeInput;

  @ReturnCodeField()
  returnCode?: boolean;

  isVerified?: undefined;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  get verification(): Verification {
    return verificationOf(this, this.protoName, false);
  }

  checkInput(checks: InputChecks): void {
    const v = this.verification;
    if (v.kind === 'send' && v.urlTemplate !== undefined) checks.urlTemplate(v.urlTemplate);
  }
}

@ProtoMessage('ResendEmailCodeRequest')
@InputType('ResendEmailCodeInput')
export class ResendEmailCodeInput extends EmailCodeInput {
  protected readonly protoName = 'ResendEmailCodeRequest';
}

@ProtoMessage('SendEmailCodeRequest')
@InputType('SendEmailCodeInput')
export class SendEmailCodeInput extends EmailCodeInput {
  protected readonly protoName = 'SendEmailCodeRequest';
}

@ProtoMessage('VerifyEmailRequest')
@InputType('VerifyEmailInput')
export class VerifyEmailInput {
  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;

  @Field(() => String)
  @RuneLength(1, 20)
  @IsString({ message: Msg.string })
  verificationCode!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string;
}

