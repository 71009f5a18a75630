import { Field, ID, InputType } from '@nestjs/graphql';
import { CheckedInput, InputChecks, ProtoMessage, ProtoString } from '../../common/request/validation.js';
import { IdempotencyKeyField } from './idempotency.js';
import {
  checkVerification,
  EmailAddressField,
  IsVerifiedField,
  ReturnCodeField,
  SendCodeField,
  SendCodeInput,
  Verification,
  verificationOf,
  WithVerification,
} from './verification.js';

@ProtoMessage('SetEmailRequest')
@InputType('SetContactEmailInput')
export class SetEmailInput implements WithVerification, CheckedInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  userId!: string;

  @EmailAddressField()
  email!: string;

  @SendCodeField()
  sendCode?: SendCodeInput;

  @ReturnCodeField()
  returnCode?: boolean;

  @IsVerifiedField()
  isVerified?: boolean;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  get verification(): Verification {
    return verificationOf(this, 'SetEmailRequest', true);
  }

  checkInput(checks: InputChecks): void {
    checkVerification(this.verification, checks);
  }
}
