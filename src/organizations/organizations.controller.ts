import { Controller, HttpCode, Post } from '@nestjs/common';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { AddMemberInput } from './inputs/add-member.input.js';
import { AddOrganizationInput } from './inputs/add-organization.input.js';
import { AddOrganization, AddOrganizationMember } from './organizations.operations.js';

@Controller('v2/organizations')
export class OrganizationsController {
  constructor(private readonly pipeline: Pipeline) {}

  @Post()
  @HttpCode(200)
  @Op(AddOrganization)
  addOrganization(@CallOf() call: Call<AddOrganizationInput>) {
    return this.pipeline.execute(AddOrganization, call);
  }

  @Post(':orgId/members')
  @HttpCode(200)
  @Op(AddOrganizationMember)
  addMember(@CallOf() call: Call<AddMemberInput>) {
    return this.pipeline.execute(AddOrganizationMember, call);
  }
}
