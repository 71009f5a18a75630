import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { CheckedInput, InputChecks, Msg, ProtoMessage, ProtoString } from '../../common/request/validation.js';
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
} from '../../email/inputs/verification.js';
import { PreferredLanguageField, storedLanguage } from './preferred-language.js';

@ProtoMessage('Organization')
@InputType('OrganizationRefInput')
export class OrganizationRefInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  orgId!: string;
}

@ProtoMessage('SetHumanProfile')
@InputType('HumanProfileInput')
export class HumanProfileInput {
  @Field(() => String)
  @ProtoString(1, 200)
  givenName!: string;

  @Field(() => String)
  @ProtoString(1, 200)
  familyName!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to "givenName familyName"' })
  @IsOptional()
  @ProtoString(1, 200)
  displayName?: string;

  @PreferredLanguageField()
  preferredLanguage?: string;
}

@ProtoMessage('SetHumanEmail')
@InputType('HumanEmailInput')
export class HumanEmailInput implements WithVerification {
  @EmailAddressField()
  email!: string;

  @SendCodeField()
  sendCode?: SendCodeInput;

  @ReturnCodeField()
  returnCode?: boolean;

  @IsVerifiedField()
  isVerified?: boolean;
}

@ProtoMessage('AddHumanUserRequest')
@InputType('AddHumanUserInput')
export class AddHumanUserInput implements CheckedInput {
  @Field(() => ID, { nullable: true, description: 'Chosen by the caller, or generated' })
  @IsOptional()
  @ProtoString(1, 200)
  userId?: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the email address' })
  @IsOptional()
  @ProtoString(1, 200)
  username?: string;

  @Field(() => OrganizationRefInput, { nullable: true, description: "Defaults to the caller's organisation" })
  @IsOptional()
  @ValidateNested()
  @Type(() => OrganizationRefInput)
  @IsObject({ message: Msg.object })
  organization?: OrganizationRefInput;

  @Field(() => HumanProfileInput)
  @ValidateNested()
  @Type(() => HumanProfileInput)
  @IsObject({ message: Msg.object })
  profile!: HumanProfileInput;

  @Field(() => HumanEmailInput)
  @ValidateNested()
  @Type(() => HumanEmailInput)
  @IsObject({ message: Msg.object })
  email!: HumanEmailInput;

  get verification(): Verification {
    return verificationOf(this.email, 'SetHumanEmail', true);
  }

  checkInput(checks: InputChecks): void {
    storedLanguage(this.profile.preferredLanguage);
    checkVerification(this.verification, checks);
  }
}
