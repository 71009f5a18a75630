import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, ValidateNested } from 'class-validator';
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

/** ZITADEL's IDPLink: the user's identity at an identity provider (spec §7.9). */
@ProtoMessage('IDPLink')
@InputType('IdpLinkInput')
export class IdpLinkInput {
  @Field(() => String)
  @ProtoString(1, 200)
  idpId!: string;

  @Field(() => String, { description: "The user's ID at the provider: a JWT's `sub` when idpId is AUTH_IDP_ID" })
  @ProtoString(1, 200)
  userId!: string;

  @Field(() => String)
  @ProtoString(1, 200)
  userName!: string;
}

/** More links than any real user has; keeps one request's inserts bounded. */
export const MAX_IDP_LINKS = 20;

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

  @Field(() => [IdpLinkInput], { nullable: true, description: 'Identities at identity providers (ZITADEL idpLinks)' })
  @IsOptional()
  @IsArray({ message: 'value must be a list' })
  @ArrayMaxSize(MAX_IDP_LINKS, { message: `value must contain no more than ${MAX_IDP_LINKS} item(s)` })
  @ValidateNested({ each: true })
  @Type(() => IdpLinkInput)
  idpLinks?: IdpLinkInput[];

  get verification(): Verification {
    return verificationOf(this.email, 'SetHumanEmail', true);
  }

  checkInput(checks: InputChecks): void {
    storedLanguage(this.profile.preferredLanguage);
    checkVerification(this.verification, checks);
  }
}
