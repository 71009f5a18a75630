import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, registerDecorator, ValidateNested } from 'class-validator';
import { AppError, Code } from '../../common/errors/app-error.js';
import { CheckedInput, InputChecks, Msg, ProtoMessage, ProtoString } from '../../common/request/validation.js';
import { IdempotencyKeyField } from '../../email/inputs/idempotency.js';
import { checkVerification, Verification, verificationOf } from '../../email/inputs/verification.js';
import { HumanEmailInput } from './add-human-user.input.js';

/** zitadel.user.v2.Gender, by name (protojson) and number. */
export const GENDERS = ['GENDER_UNSPECIFIED', 'GENDER_FEMALE', 'GENDER_MALE', 'GENDER_DIVERSE'] as const;

/** The Gender number of a validated value (an enum name or number). */
export const genderNumber = (v: string | number): number => (typeof v === 'number' ? v : GENDERS.indexOf(v as (typeof GENDERS)[number]));

/** protoc-gen-validate's `enum.defined_only`. */
function IsGender(): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'gender',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: 'value must be one of the defined enum values' },
      validator: {
        validate: (v: unknown) =>
          (typeof v === 'string' && (GENDERS as readonly string[]).includes(v)) ||
          (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < GENDERS.length),
      },
    });
}

const optionalText = (max: number, description?: string): PropertyDecorator => {
  return (target, key) => {
    Field(() => String, { nullable: true, description })(target, key);
    IsOptional()(target, key);
    ProtoString(1, max)(target, key);
  };
};

@ProtoMessage('UpdateUserRequest_Human_Profile')
@InputType('UpdateHumanProfileInput')
export class UpdateHumanProfileInput {
  @optionalText(200)
  givenName?: string;

  @optionalText(200)
  familyName?: string;

  @optionalText(200)
  nickName?: string;

  @optionalText(200)
  displayName?: string;

  @optionalText(10, 'BCP 47 language tag')
  preferredLanguage?: string;

  @Field(() => String, { nullable: true, description: 'GENDER_UNSPECIFIED, GENDER_FEMALE, GENDER_MALE or GENDER_DIVERSE' })
  @IsOptional()
  @IsGender()
  gender?: string | number;
}

@ProtoMessage('UpdateUserRequest_Human')
@InputType('UpdateHumanInput')
export class UpdateHumanInput {
  @Field(() => UpdateHumanProfileInput, { nullable: true })
  @IsOptional()
  @IsObject({ message: Msg.object })
  @ValidateNested()
  @Type(() => UpdateHumanProfileInput)
  profile?: UpdateHumanProfileInput;

  @Field(() => HumanEmailInput, { nullable: true, description: 'Behaves exactly as SetEmail' })
  @IsOptional()
  @IsObject({ message: Msg.object })
  @ValidateNested()
  @Type(() => HumanEmailInput)
  email?: HumanEmailInput;

  // REST and Connect only (not in the GraphQL schema): refused with 12, this service keeps neither
  @IsOptional()
  phone?: unknown;

  @IsOptional()
  password?: unknown;
}

const NOT_KEPT = 'is not kept by this service; it manages the contact email, username and profile only';

/** ZITADEL v4's UpdateUser (spec §10): username, profile and the contact email of a human user. */
@ProtoMessage('UpdateUserRequest')
@InputType('UpdateUserInput')
export class UpdateUserInput implements CheckedInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  userId!: string;

  @optionalText(200)
  username?: string;

  @Field(() => UpdateHumanInput, { nullable: true })
  @IsOptional()
  @IsObject({ message: Msg.object })
  @ValidateNested()
  @Type(() => UpdateHumanInput)
  human?: UpdateHumanInput;

  // REST and Connect only: there are no machine users here
  @IsOptional()
  machine?: unknown;

  @IdempotencyKeyField()
  idempotencyKey?: string;

  checkInput(checks: InputChecks): void {
    const human = this.human;
    if (this.machine != null) throw new AppError(Code.UNIMPLEMENTED, 'USER-n0tkmc', `machine ${NOT_KEPT}`);
    if (human?.phone != null) throw new AppError(Code.UNIMPLEMENTED, 'USER-n0tkph', `human.phone ${NOT_KEPT}`);
    if (human?.password != null) throw new AppError(Code.UNIMPLEMENTED, 'USER-n0tkpw', `human.password ${NOT_KEPT}`);
    const verification = this.emailVerification;
    if (verification) checkVerification(verification, checks);
  }

  /** How human.email's code is delivered (SetHumanEmail's oneof); undefined without human.email. */
  get emailVerification(): Verification | undefined {
    return this.human?.email ? verificationOf(this.human.email, 'SetHumanEmail', true) : undefined;
  }
}
