import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { Caller } from '../auth/caller.js';
import { CurrentCaller, Operation } from '../common/request/operation.js';
import { AddMemberInput } from './inputs/add-member.input.js';
import { AddOrganizationInput } from './inputs/add-organization.input.js';
import { AddMemberPayload, AddOrganizationPayload } from './organization.view.js';
import { OrganizationsService } from './organizations.service.js';

@Resolver()
export class OrganizationsResolver {
  constructor(private readonly orgs: OrganizationsService) {}

  @Mutation(() => AddOrganizationPayload)
  @Operation({ input: AddOrganizationInput, access: () => ({ instance: 'org.create' }) })
  addOrganization(@CurrentCaller() caller: Caller, @Args('input', { type: () => AddOrganizationInput }) input: AddOrganizationInput) {
    return this.orgs.add(caller, input);
  }

  @Mutation(() => AddMemberPayload)
  @Operation({ input: AddMemberInput, access: (i: AddMemberInput) => ({ org: i.orgId, permission: 'org.member.write' }) })
  addOrganizationMember(@CurrentCaller() caller: Caller, @Args('input', { type: () => AddMemberInput }) input: AddMemberInput) {
    return this.orgs.addMember(caller, input);
  }
}
