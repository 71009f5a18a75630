import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Caller } from '../auth/caller.js';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { Errors, failedPrecondition } from '../common/errors/app-error.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { NewEvent, UserStore } from '../users/user-store.js';
import { assertValidEmailAddress } from './email-address.js';
import { EmailCodesRepository } from './email-codes.repository.js';
import { SetEmailInput } from './inputs/set-email.input.js';
import { Verification } from './inputs/verification.js';
import { UrlTemplates } from './url-templates.js';
import { VerificationCodes } from './verification-codes.js';

export interface EmailChangeResult {
  details: Details;
  /** Only when the caller asked for the code to be returned. */
  verificationCode?: string;
}

export const EmailEvents = {
  changed: 'user.human.email.changed',
  codeAdded: 'user.human.email.code.added',
  verified: 'user.human.email.verified',
  verificationFailed: 'user.human.email.verification.failed',
} as const;

/** The contact-email use cases. Callers have passed validation and the access checks. */
@Injectable()
export class EmailService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UserStore,
    private readonly codes: EmailCodesRepository,
    private readonly verificationCodes: VerificationCodes,
    private readonly urlTemplates: UrlTemplates,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async setEmail(caller: Caller, input: SetEmailInput): Promise<EmailChangeResult> {
    const verification = input.verification;
    let mailed = false;
    const result = await this.uow.run(async (em) => {
      const user = await this.loadUser(em, input.userId);
      assertValidEmailAddress(input.email);
      if (user.email === input.email) throw failedPrecondition('COMMAND-Uch5e', 'Email not changed');
      const previous = user.email;
      user.changedAt = this.clock.now();
      const events: NewEvent[] = [{ type: EmailEvents.changed, payload: { email: input.email } }];
      user.email = input.email;
      const issued = await this.applyVerification(em, user, verification, events, previous);
      mailed = issued.mailed;
      const sequence = await this.users.commit(em, user, { email: input.email, emailVerified: verification.kind === 'verified' }, events, caller.userId);
      return { details: details(sequence, user.changedAt, user.orgId), verificationCode: issued.code };
    });
    if (mailed) this.outbox.wake();
    return result;
  }

  /**
   * The verification half of an email change, shared with AddHumanUser: either the verified
   * event, or a new code (replacing any pending one) that is mailed through the outbox or
   * handed back. Appends to `events`; the caller commits them.
   */
  async applyVerification(
    em: EntityManager,
    user: UserEntity,
    verification: Verification,
    events: NewEvent[],
    previousEmail: string,
  ): Promise<{ code?: string; mailed: boolean }> {
    if (verification.kind === 'verified') {
      await this.codes.delete(em, user.id);
      events.push({ type: EmailEvents.verified });
      return { mailed: false };
    }
    const code = this.verificationCodes.generate();
    const now = user.changedAt;
    const expiresAt = this.verificationCodes.expiry(now);
    const urlTemplate = verification.kind === 'send' ? (verification.urlTemplate ?? null) : null;
    await this.codes.replace(em, {
      userId: user.id,
      codeHash: this.verificationCodes.hash(user.id, code),
      email: user.email,
      urlTemplate,
      attempts: 0,
      createdAt: now,
      expiresAt,
    });
    events.push({
      type: EmailEvents.codeAdded,
      payload: { expiry: this.verificationCodes.expiry(new Date(0)).getTime(), urlTemplate, codeReturned: verification.kind === 'return' },
    });
    if (verification.kind === 'return') return { code, mailed: false };
    const url = this.urlTemplates.render(urlTemplate, {
      UserID: user.id,
      Code: code,
      OrgID: user.orgId,
      LoginName: user.username,
      DisplayName: user.displayName,
      PreferredLoginName: user.username,
      LastEmail: previousEmail,
    });
    await this.outbox.enqueue(em, { userId: user.id, recipient: user.email, data: { displayName: user.displayName, code, url } });
    return { mailed: true };
  }

  /** The target user inside the transaction (it may have gone since the access check). */
  private async loadUser(em: EntityManager, userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId, em);
    if (!user || user.state === 'deleted' || user.type !== 'human') throw Errors.userNotFound();
    return user;
  }
}
