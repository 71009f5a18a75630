import { Controller, HttpCode, Post } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { CurrentCaller, Input, Operation } from '../common/request/operation.js';
import { body, field } from '../common/request/rest-body.js';
import { AddMemberInput } from './inputs/add-member.input.js';
import { AddOrganizationInput } from './inputs/add-organization.input.js';
import { OrganizationsService } from './organizations.service.js';

export const addOrganizationFromRest = (_p: Record<string, string>, raw: unknown) => {
  const b = body(raw, 'AddOrganizationRequest');
  return { name: field(b, 'name'), orgId: field(b, 'orgId') ?? undefined };
};

export const addMemberFromRest = (p: Record<string, string>, raw: unknown) => {
  const b = body(raw, 'AddOrganizationMemberRequest');
  return { orgId: p.orgId, userId: field(b, 'userId'), roles: field(b, 'roles') };
};

@Controller('v2/organizations')
export class OrganizationsController {
  constructor(private readonly orgs: OrganizationsService) {}

  @Post()
  @HttpCode(200)
  @Operation({ input: AddOrganizationInput, fromRest: addOrganizationFromRest, access: () => ({ instance: 'org.create' }) })
  addOrganization(@CurrentCaller() caller: Caller, @Input() input: AddOrganizationInput) {
    return this.orgs.add(caller, input);
  }

  @Post(':orgId/members')
  @HttpCode(200)
  @Operation({
    input: AddMemberInput,
    fromRest: addMemberFromRest,
    access: (i: AddMemberInput) => ({ org: i.orgId, permission: 'org.member.write' }),
  })
  addMember(@CurrentCaller() caller: Caller, @Input() input: AddMemberInput) {
    return this.orgs.addMember(caller, input);
  }
}
