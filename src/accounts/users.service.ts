import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { TokenService } from '../auth/token.service.js';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { alreadyExists, invalidArgument, notFound } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { IdGenerator } from '../common/id-generator.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { UserIdpLinkEntity } from '../database/entities/user-idp-link.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { assertValidEmailAddress } from '../email/email-address.js';
import { EmailService } from '../email/email.service.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { AddHumanUserInput } from './inputs/add-human-user.input.js';
import { AddPatInput } from './inputs/add-pat.input.js';
import { shownLanguage, storedLanguage } from './inputs/preferred-language.js';
import { GENDERS } from './inputs/update-user.input.js';
import { type Call, callerOf } from '../pipeline/operation.js';
import { GetUserInput } from './inputs/get-user.input.js';
import { NewEvent, UserStore } from '../users/user-store.js';
import { UserTargets } from '../users/user-targets.js';
import type { PatView, UserView } from './user.view.js';
import { RemovePatInput } from './inputs/remove-pat.input.js';

/** One answer for every conflict of AddHumanUser, whoever holds the ID or username (§7.3). */
const userExists = () => alreadyExists('COMMAND-k2unb', 'User already exists');

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
    private readonly users: UserStore,
    private readonly targets: UserTargets,
    private readonly email: EmailService,
    private readonly outbox: OutboxService,
    private readonly orgs: OrganizationsService,
    private readonly tokens: TokenService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The organisation a new user goes to: the given one, or the caller's. */
  static targetOrg(input: AddHumanUserInput, caller: Caller): string {
    return input.organization?.orgId ?? caller.orgId;
  }

  async addHuman(call: Call<AddHumanUserInput>): Promise<{ userId: string; details: Details; emailCode?: string }> {
    const { input } = call;
    const caller = callerOf(call);
    const orgId = UsersService.targetOrg(input, caller);
    await this.orgs.assertExists(orgId);
    assertValidEmailAddress(input.email.email);
    const verification = input.verification;
    const { result, mailed } = await this.uow.run(async (em) => {
      const userId = input.userId ?? this.ids.next();
      const username = input.username ?? input.email.email;
      // §7.3: an ID taken in any organisation and a username taken in this one get one answer that names no organisation
      if ((await this.users.idTaken(em, userId)) || (await this.users.usernameTaken(em, orgId, username))) throw userExists();
      const links = (input.idpLinks ?? []).map((l) => ({ idpId: l.idpId, externalUserId: l.userId, externalUserName: l.userName }));
      // one identity at a provider is one local user (a JWT's subject must name exactly one)
      const distinct = new Set(links.map((l) => `${l.idpId}\u0000${l.externalUserId}`));
      if (distinct.size < links.length || (await this.users.idpLinkTaken(em, links)))
        throw alreadyExists('COMMAND-1dpLk', 'IDP link already exists');
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
        preferredLanguage: storedLanguage(input.profile.preferredLanguage),
        email: input.email.email,
        emailVerified: verification.kind === 'verified',
        sequence: 0,
        createdAt: now,
        changedAt: now,
      } satisfies Partial<UserEntity>);
      const issued = await this.email.applyVerification(em, { user, verification, previousEmail: '', cooldown: false });
      const events: NewEvent[] = [
        {
          type: 'user.human.added',
          payload: {
            username,
            givenName: user.givenName,
            familyName: user.familyName,
            displayName: user.displayName,
            preferredLanguage: user.preferredLanguage,
            email: user.email,
          },
        },
        ...issued.events,
      ];
      const sequence = await this.users.create(em, user, events, caller.userId);
      await this.users.insertIdpLinks(
        em,
        links.map((l) => Object.assign(new UserIdpLinkEntity(), { ...l, userId, createdAt: now })),
      );
      return { result: { userId, details: details(sequence, now, orgId), emailCode: issued.code }, mailed: issued.mailed };
    });
    if (mailed) this.outbox.wake();
    return result;
  }

  async getById(call: Call<GetUserInput>): Promise<UserView> {
    const user = await this.targets.read(call);
    return {
      userId: user.id,
      details: details(user.sequence, user.changedAt, user.orgId),
      state: USER_STATE[user.state] ?? 'USER_STATE_UNSPECIFIED',
      username: user.username,
      loginNames: [user.username],
      preferredLoginName: user.username,
      human: {
        profile: {
          givenName: user.givenName,
          familyName: user.familyName,
          displayName: user.displayName,
          // protojson leaves out what is unset
          ...(user.nickName ? { nickName: user.nickName } : {}),
          preferredLanguage: shownLanguage(user.preferredLanguage),
          ...(user.gender ? { gender: GENDERS[user.gender] ?? 'GENDER_UNSPECIFIED' } : {}),
        },
        email: {
          email: user.email,
          isVerified: user.emailVerified,
          ...(user.pendingEmail !== null ? { pendingEmail: user.pendingEmail } : {}),
        },
      },
    };
  }

  /** PATs are issued to human users here (ZITADEL: machine users only); a user event records it. */
  async addPersonalAccessToken(call: Call<AddPatInput>): Promise<{ details: Details; tokenId: string; token: string }> {
    const { input } = call;
    return this.uow.run(async (em) => {
      const user = await this.targets.lock(em, call);
      user.changedAt = this.clock.now();
      const expiresAt = this.patExpiry(input.expirationDate, user.changedAt);
      const issued = await this.tokens.issue(em, user.id, expiresAt);
      const sequence = await this.users.commit(
        em,
        user,
        {},
        [
          {
            type: 'user.personal.token.added',
            payload: { tokenId: issued.tokenId, expiration: expiresAt?.toISOString() ?? null },
          },
        ],
        callerOf(call).userId,
      );
      return { details: details(sequence, user.changedAt, user.orgId), ...issued };
    });
  }

  /** §7.1: the expiry of a new PAT, within PAT_MAX_LIFETIME_DAYS when that is set (none given → the cap). */
  private patExpiry(requested: Date | undefined, now: Date): Date | null {
    if (requested && requested <= now) throw invalidArgument('COMMAND-Bs2l9', 'Expiration date must be in the future');
    const days = this.config.patMaxLifetimeDays;
    if (days === 0) return requested ?? null;
    const cap = new Date(now.getTime() + days * 24 * 3600_000);
    if (!requested) return cap;
    if (requested > cap) throw invalidArgument('PAT-l1fet1me', `Expiration date must be within ${days} days (PAT_MAX_LIFETIME_DAYS)`);
    return requested;
  }

  /** A user's live tokens; listing another user's needs the rank of a write (§7.1). */
  async listPersonalAccessTokens(call: Call<GetUserInput>): Promise<PatView[]> {
    const user = await this.targets.read(call);
    return (await this.tokens.list(user.id)).map((t) => ({
      id: t.id,
      userId: t.userId,
      creationDate: t.createdAt,
      expirationDate: t.expiresAt,
    }));
  }

  /** Revokes a PAT: refused from the next request on, on every instance (tokens are looked up per request). */
  async removePersonalAccessToken(call: Call<RemovePatInput>): Promise<{ details: Details }> {
    const { input } = call;
    return this.uow.run(async (em) => {
      const user = await this.targets.lock(em, call);
      user.changedAt = this.clock.now();
      if (!(await this.tokens.revoke(em, user.id, input.tokenId, user.changedAt)))
        throw notFound('COMMAND-2M0ds', 'Personal access token not found');
      const sequence = await this.users.commit(
        em,
        user,
        {},
        [{ type: 'user.personal.token.removed', payload: { tokenId: input.tokenId } }],
        callerOf(call).userId,
      );
      return { details: details(sequence, user.changedAt, user.orgId) };
    });
  }
}
