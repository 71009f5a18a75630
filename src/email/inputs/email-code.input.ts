import { Field, ID, InputType } from '@nestjs/graphql';
import { CheckedInput, InputChecks, ProtoMessage, ProtoString } from '../../common/request/validation.js';
import { IdempotencyKeyField } from './idempotency.js';
import {
  checkVerification,
  ReturnCodeField,
  SendCodeField,
  SendCodeInput,
  Verification,
  verificationOf,
  WithVerification,
} from './verification.js';

/** ResendEmailCode and SendEmailCode take the same input: how to deliver the new code. */
@InputType({ isAbstract: true })
abstract class EmailCodeInput implements WithVerification, CheckedInput {
  protected abstract readonly protoName: string;

  @Field(() => ID)
  @ProtoString(1, 200)
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
    checkVerification(this.verification, checks);
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
  @ProtoString(1, 200)
  userId!: string;

  @Field(() => String)
  @ProtoString(1, 20)
  verificationCode!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string;
}
