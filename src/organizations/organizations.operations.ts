import { defineOperation } from '../pipeline/operation.js';
import { body, field } from '../common/request/rest-body.js';
import { AddMemberInput } from './inputs/add-member.input.js';
import { AddOrganizationInput } from './inputs/add-organization.input.js';
import { OrganizationsService } from './organizations.service.js';

// The organisation operations, declared once for REST and GraphQL (spec §7.2).

export const AddOrganization = defineOperation({
  name: 'AddOrganization',
  input: AddOrganizationInput,
  limit: 'write',
  access: () => ({ kind: 'instance', permission: 'org.create' }),
  fromRest: (_p, raw) => {
    const b = body(raw, 'AddOrganizationRequest');
    return { name: field(b, 'name'), orgId: field(b, 'orgId') ?? undefined };
  },
  service: OrganizationsService,
  execute: (orgs, call) => orgs.add(call),
});

/** org.member.write in the organisation here; reading the user, the rank and the granted roles on the locked user row (§7.1, §7.3). */
export const AddOrganizationMember = defineOperation({
  name: 'AddOrganizationMember',
  input: AddMemberInput,
  limit: 'write',
  access: (i) => ({ kind: 'org', orgId: i.orgId, permission: 'org.member.write' }),
  fromRest: (p, raw) => {
    const b = body(raw, 'AddOrganizationMemberRequest');
    return { orgId: p.orgId, userId: field(b, 'userId'), roles: field(b, 'roles') };
  },
  service: OrganizationsService,
  execute: (orgs, call) => orgs.addMember(call),
});
