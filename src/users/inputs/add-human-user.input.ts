import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { CheckedInput, InputChecks, IsPgvEmail, Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';
import { ReturnCodeField, SendCodeField, SendCodeInput, Verification, verificationOf, WithVerification } from '../../email/inputs/verification.js';

@ProtoMessage('Organization')
@InputType('OrganizationRefInput')
export class OrganizationRefInput {
  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  orgId!: string;
}

@ProtoMessage('SetHumanProfile')
@InputType('HumanProfileInput')
export class HumanProfileInput {
  @Field(() => String)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  givenName!: string;

  @Field(() => String)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  familyName!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to "givenName familyName"' })
  @IsOptional()
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  displayName?: string;
}

@ProtoMessage('SetHumanEmail')
@InputType('HumanEmailInput')
export class HumanEmailInput implements WithVerification {
  @Field(() => String)
  @IsPgvEmail()
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  email!: string;

  @SendCodeField()
  sendCode?: SendCodeInput;

  @ReturnCodeField()
  returnCode?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @Equals(true, { message: Msg.mustBeTrue })
  @IsBoolean({ message: Msg.bool })
  isVerified?: boolean;
}

@ProtoMessage('AddHumanUserRequest')
@InputType('AddHumanUserInput')
export class AddHumanUserInput implements CheckedInput {
  @Field(() => ID, { nullable: true, description: 'Chosen by the caller, or generated' })
  @IsOptional()
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId?: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the email address' })
  @IsOptional()
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
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
    const v = this.verification;
    if (v.kind === 'send' && v.urlTemplate !== undefined) checks.urlTemplate(v.urlTemplate);
  }
}
