import { Field, ID, ObjectType } from '@nestjs/graphql';
import { DetailsType } from '../common/graphql-types.js';
import { Details } from '../common/details.js';

@ObjectType('AddOrganizationPayload')
export class AddOrganizationPayload {
  @Field(() => ID) organizationId!: string;
  @Field(() => DetailsType) details!: Details;
}

@ObjectType('AddOrganizationMemberPayload')
export class AddMemberPayload {
  @Field(() => DetailsType) details!: Details;
}
