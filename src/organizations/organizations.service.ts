import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { canRead, mayGrant, outranks } from '../auth/access.js';
import { MembershipsService } from '../auth/memberships.service.js';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { alreadyExists, Errors, notFound } from '../common/errors/app-error.js';
import { type Call, callerOf } from '../pipeline/operation.js';
import { IdGenerator } from '../common/id-generator.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { UserStore } from '../users/user-store.js';
import { UserTargets } from '../users/user-targets.js';
import { AddMemberInput } from './inputs/add-member.input.js';
import { AddOrganizationInput } from './inputs/add-organization.input.js';
import { OrganizationsRepository } from './organizations.repository.js';

export const orgNotFound = () => notFound('COMMAND-ZL7Jd', 'Organisation not found');

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly orgs: OrganizationsRepository,
    private readonly users: UserStore,
    private readonly targets: UserTargets,
    private readonly memberships: MembershipsService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async assertExists(orgId: string): Promise<void> {
    if (!(await this.orgs.exists(orgId))) throw orgNotFound();
  }

  /**
   * The first start's default organisation, in the caller's unit of work; null when any
   * organisation exists already (the database is not empty).
   */
  async addDefault(em: EntityManager, now: Date): Promise<string | null> {
    if (await this.orgs.any(em)) return null;
    const id = this.ids.next();
    await this.orgs.insert(em, { id, name: 'DEFAULT', isDefault: true, createdAt: now });
    return id;
  }

  async add({ input }: Call<AddOrganizationInput>): Promise<{ organizationId: string; details: Details }> {
    return this.uow.run(async (em) => {
      const id = input.orgId ?? this.ids.next();
      if (await this.orgs.exists(id, em)) throw alreadyExists('ORG-lapo2m', 'Organisation already exists');
      if (await this.orgs.nameTaken(em, input.name)) throw alreadyExists('ORG-lapo2n', 'Organisation name already taken');
      const now = this.clock.now();
      await this.orgs.insert(em, { id, name: input.name, isDefault: false, createdAt: now });
      return { organizationId: id, details: details(1, now, id) };
    });
  }

  /**
   * Grants roles in an organisation to a user (ours; ZITADEL has it in the management API). The
   * pipeline checked org.member.write in the organisation; here, on the locked user row: a user
   * the caller cannot read is "not found" (§7.3), changing another user's memberships needs the
   * caller to outrank it, and nobody grants a role above their own (§7.1).
   */
  async addMember(call: Call<AddMemberInput>): Promise<{ details: Details }> {
    const { input } = call;
    const caller = callerOf(call);
    return this.uow.run(async (em) => {
      if (!(await this.orgs.exists(input.orgId, em))) throw orgNotFound();
      const found = await this.targets.lockWithRoles(em, input.userId);
      if (!found || !canRead(caller, found.user)) throw Errors.userNotFound();
      const { user } = found;
      if (caller.userId !== user.id && !outranks(caller, found.memberships)) throw Errors.permissionDenied();
      if (!mayGrant(caller, input.orgId, input.roles)) throw Errors.permissionDenied();
      user.changedAt = this.clock.now();
      await this.memberships.grant(em, user.id, input.orgId, input.roles, user.changedAt);
      const sequence = await this.users.commit(
        em,
        user,
        {},
        [{ type: 'user.member.added', payload: { orgId: input.orgId, roles: input.roles } }],
        caller.userId,
      );
      return { details: details(sequence, user.changedAt, input.orgId) };
    });
  }
}
