import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { AuthRepository } from '../auth/auth.repository.js';
import { TokenService } from '../auth/token.service.js';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { alreadyExists, Errors, invalidArgument, notFound } from '../common/errors/app-error.js';
import { IdGenerator } from '../common/id-generator.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { assertValidEmailAddress } from '../email/email-address.js';
import { EmailService } from '../email/email.service.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { AddHumanUserInput } from './inputs/add-human-user.input.js';
import { AddPatInput } from './inputs/add-pat.input.js';
import { NewEvent, UsersRepository } from './users.repository.js';
import type { PatView, UserView } from './user.view.js';
import { RemovePatInput } from './inputs/remove-pat.input.js';

const USER_STATE: Record<string, string> = {
  active: 'USER_STATE_ACTIVE',
  inactive: 'USER_STATE_INACTIVE',
  deleted: 'USER_STATE_DELETED',
  locked: 'USER_STATE_LOCKED',
};

@Injectable()
export class UsersService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UsersRepository,
    private readonly email: EmailService,
    private readonly outbox: OutboxService,
    private readonly orgs: OrganizationsService,
    private readonly tokens: TokenService,
    private readonly auth: AuthRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  /** The organisation a new user goes to: the given one, or the caller's. */
  static targetOrg(input: AddHumanUserInput, caller: Caller): string {
    return input.organization?.orgId ?? caller.orgId;
  }

  async addHuman(caller: Caller, input: AddHumanUserInput): Promise<{ userId: string; details: Details; emailCode?: string }> {
    const orgId = UsersService.targetOrg(input, caller);
    await this.orgs.assertExists(orgId);
    assertValidEmailAddress(input.email.email);
    const verification = input.verification;
    const { result, mailed } = await this.uow.run(async (em) => {
      const userId = input.userId ?? this.ids.next();
      const username = input.username ?? input.email.email;
      if (await this.users.idTaken(em, userId)) throw alreadyExists('COMMAND-k2unb', 'User already exists');
      if (await this.users.usernameTaken(em, orgId, username)) throw alreadyExists('COMMAND-CxmY3', 'Username already taken');
      const now = this.clock.now();
      const user = Object.assign(new UserEntity(), {
        id: userId,
        orgId,
        type: 'human',
        state: 'active',
        username,
        givenName: input.profile.givenName,
        familyName: input.profile.familyName,
        displayName: input.profile.displayName ?? `${input.profile.givenName} ${input.profile.familyName}`,
        email: input.email.email,
        emailVerified: verification.kind === 'verified',
        sequence: 0,
        createdAt: now,
        changedAt: now,
      } satisfies Partial<UserEntity>);
      const events: NewEvent[] = [
        {
          type: 'user.human.added',
          payload: { username, givenName: user.givenName, familyName: user.familyName, displayName: user.displayName, email: user.email },
        },
      ];
      const issued = await this.email.applyVerification(em, user, verification, events, '', false);
      const sequence = await this.users.create(em, user, events, caller.userId);
      return { result: { userId, details: details(sequence, now, orgId), emailCode: issued.code }, mailed: issued.mailed };
    });
    if (mailed) this.outbox.wake();
    return result;
  }

  async getById(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user || user.state === 'deleted' || user.type !== 'human') throw Errors.userNotFound();
    return {
      userId: user.id,
      details: details(user.sequence, user.changedAt, user.orgId),
      state: USER_STATE[user.state] ?? 'USER_STATE_UNSPECIFIED',
      username: user.username,
      loginNames: [user.username],
      preferredLoginName: user.username,
      human: {
        profile: { givenName: user.givenName, familyName: user.familyName, displayName: user.displayName },
        email: { email: user.email, isVerified: user.emailVerified },
      },
    };
  }

  /** PATs are issued to human users here (ZITADEL: machine users only); a user event records it. */
  async addPersonalAccessToken(caller: Caller, input: AddPatInput): Promise<{ details: Details; tokenId: string; token: string }> {
    return this.uow.run(async (em) => {
      const user = await this.users.findForUpdate(em, input.userId);
      if (!user || user.state === 'deleted') throw Errors.userNotFound();
      user.changedAt = this.clock.now();
      if (input.expirationDate && input.expirationDate <= user.changedAt)
        throw invalidArgument('COMMAND-Bs2l9', 'Expiration date must be in the future');
      const issued = await this.tokens.issue(em, user.id, input.expirationDate ?? null);
      const sequence = await this.users.commit(
        em,
        user,
        {},
        [
          {
            type: 'user.personal.token.added',
            payload: { tokenId: issued.tokenId, expiration: input.expirationDate?.toISOString() ?? null },
          },
        ],
        caller.userId,
      );
      return { details: details(sequence, user.changedAt, user.orgId), ...issued };
    });
  }

  async listPersonalAccessTokens(userId: string): Promise<PatView[]> {
    return (await this.auth.listTokens(userId)).map((t) => ({
      id: t.id,
      userId: t.userId,
      creationDate: t.createdAt,
      expirationDate: t.expiresAt,
    }));
  }

  /** Revokes a PAT: refused from the next request on, on every instance (tokens are looked up per request). */
  async removePersonalAccessToken(caller: Caller, input: RemovePatInput): Promise<{ details: Details }> {
    return this.uow.run(async (em) => {
      const user = await this.users.findForUpdate(em, input.userId);
      if (!user || user.state === 'deleted') throw Errors.userNotFound();
      user.changedAt = this.clock.now();
      if (!(await this.auth.revokeToken(em, user.id, input.tokenId, user.changedAt)))
        throw notFound('COMMAND-2M0ds', 'Personal access token not found');
      const sequence = await this.users.commit(
        em,
        user,
        {},
        [{ type: 'user.personal.token.removed', payload: { tokenId: input.tokenId } }],
        caller.userId,
      );
      return { details: details(sequence, user.changedAt, user.orgId) };
    });
  }
}
