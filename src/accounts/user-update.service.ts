import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { Details } from '../common/details.js';
import { alreadyExists } from '../common/errors/app-error.js';
import type { UserEntity } from '../database/entities/user.entity.js';
import { AlongChange, EmailService } from '../email/email.service.js';
import { SetEmailInput } from '../email/inputs/set-email.input.js';
import type { Call } from '../pipeline/operation.js';
import { storedLanguage } from './inputs/preferred-language.js';
import { genderNumber, UpdateUserInput } from './inputs/update-user.input.js';
import { MutableColumn, NewEvent, UserStore } from '../users/user-store.js';

export interface UpdateUserResult {
  details: Details;
  /** ZITADEL's UpdateUserResponse.change_date. */
  changeDate: Date;
  /** Only when human.email asked for the code to be returned. */
  emailCode?: string;
}

const usernameTaken = () => alreadyExists('COMMAND-CxmY3', 'Username already taken');

/**
 * ZITADEL v4's UpdateUser (spec §10). `human.email` IS SetEmail: the same use case, with the
 * username and profile changes applied first in its unit of work, so one request commits
 * everything or nothing and inherits SetEmail's order of checks, limits, idempotency and outbox.
 */
@Injectable()
export class UserUpdateService {
  constructor(
    private readonly email: EmailService,
    private readonly users: UserStore,
  ) {}

  async update(call: Call<UpdateUserInput>): Promise<UpdateUserResult> {
    const { input } = call;
    const along = this.along(input);
    try {
      const human = input.human;
      if (human?.email) {
        const setEmail = Object.assign(new SetEmailInput(), {
          userId: input.userId,
          email: human.email.email,
          sendCode: human.email.sendCode,
          returnCode: human.email.returnCode,
          isVerified: human.email.isVerified,
          idempotencyKey: input.idempotencyKey,
        });
        // the same call (caller, UpdateUser's access rule) with SetEmail's input
        const r = await this.email.setEmailAlong({ ...call, input: setEmail }, 'UpdateUser', along);
        return { details: r.details, changeDate: r.details.changeDate, emailCode: r.verificationCode };
      }
      const r = await this.email.changeUser(call, 'UpdateUser', along);
      return { details: r.details, changeDate: r.details.changeDate };
    } catch (e) {
      // another user took the name between our check and the commit
      if (
        e instanceof QueryFailedError &&
        /uq_users_org_username|users\.org_id, users\.username/.test(
          `${e.message} ${String((e.driverError as { constraint?: string })?.constraint)}`,
        )
      )
        throw usernameTaken();
      throw e;
    }
  }

  /** The username and profile part, as ZITADEL's ChangeUserHuman: only what differs becomes an event. */
  private along(input: UpdateUserInput): AlongChange {
    const profile = input.human?.profile;
    return {
      request: { username: input.username, profile },
      apply: async (em, user) => {
        const changes: Partial<Pick<UserEntity, MutableColumn>> = {};
        const events: NewEvent[] = [];
        if (input.username !== undefined && input.username !== user.username) {
          if (await this.users.usernameTaken(em, user.orgId, input.username)) throw usernameTaken();
          events.push({ type: 'user.username.changed', payload: { username: input.username, oldUsername: user.username } });
          changes.username = input.username;
        }
        if (profile) {
          const wanted: Partial<Pick<UserEntity, MutableColumn>> = {
            givenName: profile.givenName,
            familyName: profile.familyName,
            nickName: profile.nickName,
            displayName: profile.displayName,
            // canonical BCP 47, refused when not well-formed (LANG-lg4DP), as AddHumanUser stores it
            preferredLanguage: profile.preferredLanguage === undefined ? undefined : storedLanguage(profile.preferredLanguage),
            gender: profile.gender === undefined ? undefined : genderNumber(profile.gender),
          };
          const changed = Object.fromEntries(
            Object.entries(wanted).filter(([k, v]) => v !== undefined && v !== user[k as keyof UserEntity]),
          ) as Partial<Pick<UserEntity, MutableColumn>>;
          if (Object.keys(changed).length) {
            events.push({ type: 'user.human.profile.changed', payload: changed });
            Object.assign(changes, changed);
          }
        }
        // the email part (if any) reads the user as changed so far, e.g. the new display name
        Object.assign(user, changes);
        return { changes, events };
      },
    };
  }
}
