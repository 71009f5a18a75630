import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { AddMemberInput } from './inputs/add-member.input.js';
import { AddOrganizationInput } from './inputs/add-organization.input.js';
import { AddMemberPayload, AddOrganizationPayload } from './organization.view.js';
import { AddOrganization, AddOrganizationMember } from './organizations.operations.js';

@Resolver()
export class OrganizationsResolver {
  constructor(private readonly pipeline: Pipeline) {}

  @Mutation(() => AddOrganizationPayload)
  @Op(AddOrganization)
  addOrganization(@CallOf() call: Call<AddOrganizationInput>, @Args('input', { type: () => AddOrganizationInput }) _input: unknown) {
    return this.pipeline.execute(AddOrganization, call);
  }

  @Mutation(() => AddMemberPayload)
  @Op(AddOrganizationMember)
  addOrganizationMember(@CallOf() call: Call<AddMemberInput>, @Args('input', { type: () => AddMemberInput }) _input: unknown) {
    return this.pipeline.execute(AddOrganizationMember, call);
  }
}
