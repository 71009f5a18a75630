import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { DetailsType } from '../common/graphql-types.js';
import { Details } from '../common/details.js';

@ObjectType('HumanProfile')
export class HumanProfileView {
  @Field() givenName!: string;
  @Field() familyName!: string;
  @Field() displayName!: string;
  @Field(() => String, { nullable: true, description: 'Omitted when not set' }) nickName?: string;
  @Field({ description: 'BCP 47; "und" when the user has none (as ZITADEL)' }) preferredLanguage!: string;
  @Field(() => String, { nullable: true, description: 'GENDER_FEMALE, GENDER_MALE or GENDER_DIVERSE; omitted when unspecified' })
  gender?: string;
}

@ObjectType('HumanEmail')
export class HumanEmailView {
  @Field() email!: string;
  @Field() isVerified!: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'beyond ZITADEL (EMAIL_CHANGE_MODE=verify-first): the new address waiting for its code; omitted when none',
  })
  pendingEmail?: string;
}

@ObjectType('HumanUser')
export class HumanView {
  @Field(() => HumanProfileView) profile!: HumanProfileView;
  @Field(() => HumanEmailView) email!: HumanEmailView;
}

/** ZITADEL's user.v2.User, as GetUserByID returns it. */
@ObjectType('User')
export class UserView {
  @Field(() => ID) userId!: string;
  @Field(() => DetailsType) details!: Details;
  @Field() state!: string;
  @Field() username!: string;
  @Field(() => [String]) loginNames!: string[];
  @Field() preferredLoginName!: string;
  @Field(() => HumanView) human!: HumanView;
}

@ObjectType('AddHumanUserPayload')
export class AddHumanUserPayload {
  @Field(() => ID) userId!: string;
  @Field(() => DetailsType) details!: Details;
  @Field(() => String, { nullable: true, description: 'Only with returnCode' }) emailCode?: string;
}

@ObjectType('AddPersonalAccessTokenPayload')
export class AddPatPayload {
  @Field(() => DetailsType) details!: Details;
  @Field(() => ID) tokenId!: string;
  @Field({ description: 'Shown once; only its hash is stored' }) token!: string;
}

@ObjectType('EmailChangePayload')
export class EmailChangePayload {
  @Field(() => DetailsType) details!: Details;
  @Field(() => String, { nullable: true, description: 'Only with returnCode' }) verificationCode?: string;
}

@ObjectType('PersonalAccessToken')
export class PatView {
  @Field(() => ID) id!: string;
  @Field(() => ID) userId!: string;
  @Field(() => GraphQLISODateTime) creationDate!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) expirationDate!: Date | null;
}

@ObjectType('RemovePersonalAccessTokenPayload')
export class RemovePatPayload {
  @Field(() => DetailsType) details!: Details;
}

@ObjectType('UpdateUserPayload')
export class UpdateUserPayload {
  @Field(() => DetailsType) details!: Details;
  @Field(() => GraphQLISODateTime, { description: "ZITADEL's changeDate" }) changeDate!: Date;
  @Field(() => String, { nullable: true, description: 'Only with human.email.returnCode' }) emailCode?: string;
}

@ObjectType('CancelPendingEmailPayload')
export class CancelPendingEmailPayload {
  @Field(() => DetailsType) details!: Details;
}
