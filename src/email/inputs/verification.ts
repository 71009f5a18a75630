import { Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { requestInvalid } from '../../common/errors/app-error.js';
import { InputChecks, IsPgvEmail, Msg, ProtoMessage, ProtoString } from '../../common/request/validation.js';

@ProtoMessage('SendEmailVerificationCode')
@InputType('SendCodeInput')
export class SendCodeInput {
  @Field(() => String, {
    nullable: true,
    description: 'Go text/template for the link in the mail; {{.UserID}}, {{.Code}}, {{.OrgID}}, ...',
  })
  @IsOptional()
  @ProtoString(1, 200)
  urlTemplate?: string;
}

/** How the new code of an email change is delivered, or that none is needed. */
export type Verification = { kind: 'send'; urlTemplate?: string } | { kind: 'return' } | { kind: 'verified' };

/** The fields shared by every input that picks a verification mode (ZITADEL's oneof). */
export abstract class WithVerification {
  abstract sendCode?: SendCodeInput;
  abstract returnCode?: boolean;
  abstract isVerified?: boolean;
}

/** ZITADEL's `oneof verification`: at most one mode; sendCode when none is given. */
export function verificationOf(input: WithVerification, message: string, allowVerified: boolean): Verification {
  const set = [input.sendCode != null, input.returnCode === true, allowVerified && input.isVerified === true].filter(Boolean).length;
  if (set > 1)
    throw requestInvalid(`invalid ${message}: only one of sendCode, returnCode${allowVerified ? ', isVerified' : ''} may be set`);
  if (input.returnCode === true) return { kind: 'return' };
  if (allowVerified && input.isVerified === true) return { kind: 'verified' };
  return { kind: 'send', urlTemplate: input.sendCode?.urlTemplate };
}

// Field decorators shared by the inputs below and AddHumanUser's email.
export const SendCodeField = (): PropertyDecorator => (target, key) => {
  Field(() => SendCodeInput, { nullable: true, description: 'Mail a code (the default)' })(target, key);
  // class-validator checks in the order rules are registered: the type before the nested rules
  IsOptional()(target, key);
  IsObject({ message: Msg.object })(target, key);
  ValidateNested()(target, key);
  Type(() => SendCodeInput)(target, key);
};

export const ReturnCodeField = (): PropertyDecorator => (target, key) => {
  Field(() => Boolean, { nullable: true, description: 'Return the code instead of mailing it' })(target, key);
  IsOptional()(target, key);
  IsBoolean({ message: Msg.bool })(target, key);
};

export const IsVerifiedField = (): PropertyDecorator => (target, key) => {
  Field(() => Boolean, { nullable: true, description: 'Store the email as verified; must be true when given' })(target, key);
  IsOptional()(target, key);
  IsBoolean({ message: Msg.bool })(target, key);
  Equals(true, { message: Msg.mustBeTrue })(target, key);
};

/** The address of an email change: ZITADEL's length rule, then protoc-gen-validate's email rule. */
export const EmailAddressField = (): PropertyDecorator => (target, key) => {
  Field(() => String)(target, key);
  ProtoString(1, 200)(target, key);
  IsPgvEmail()(target, key);
};

/** Step 1 of spec §1 for inputs that may carry a URL template. */
export function checkVerification(verification: Verification, checks: InputChecks): void {
  if (verification.kind === 'send' && verification.urlTemplate !== undefined) checks.urlTemplate(verification.urlTemplate);
}
