import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TokenService } from '../auth/token.service.js';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { failedPrecondition, invalidArgument } from '../common/errors/app-error.js';
import { IdGenerator } from '../common/id-generator.js';
import { randomBytesPooled } from '../common/random.js';
import { SecretBox } from '../common/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { UserEntity } from '../database/entities/user.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { Mail, MailKind, OutboxService } from '../outbox/outbox.service.js';
import { userMailData } from './mail-data.js';
import type { Call } from '../pipeline/operation.js';
import { UserStore } from '../users/user-store.js';
import { UserTargets } from '../users/user-targets.js';
import { EmailCodesRepository } from './email-codes.repository.js';
import { EmailUndoRepository } from './email-undo.repository.js';
import { MailLimits } from './mail-limits.js';
import type { Verification } from './inputs/verification.js';
import { UNDO_PATH } from './undo-page.js';

export const EmailChangeEvents = {
  /** The undo link of the notice was used: the previous verified address is back. */
  reverted: 'user.human.email.change.reverted',
  /** verify-first: the pending address was dropped before it was verified. */
  cancelled: 'user.human.email.change.cancelled',
} as const;

/** One answer for a link that is unknown, expired or used: no oracle about which. */
export const undoRefused = () => invalidArgument('EMAIL-und0ne', 'This link is invalid, was already used or has expired');

/**
 * spec §10, around an email change: whether a new address waits as pending (verify-first), the
 * notice to a replaced verified address with its single-use undo link, using that link, and
 * cancelling a pending address. EmailService calls in here; nothing here calls EmailService.
 */
@Injectable()
export class EmailChangeService {
  private readonly logger = new Logger('EmailChange');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UserStore,
    private readonly targets: UserTargets,
    private readonly codes: EmailCodesRepository,
    private readonly undo: EmailUndoRepository,
    private readonly tokens: TokenService,
    private readonly outbox: OutboxService,
    private readonly limits: MailLimits,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** verify-first holds a new address pending until its code is verified; an admin's isVerified applies at once. */
  holdsPending(verification: Verification): boolean {
    return this.config.emailChangeMode === 'verify-first' && verification.kind !== 'verified';
  }

  /**
   * beyond ZITADEL (EMAIL_NOTIFY_PREVIOUS): tells a replaced verified address, with a link that
   * undoes the change (unless EMAIL_UNDO_TTL_SECONDS=0). Runs in the change's transaction;
   * returns whether a mail was enqueued.
   */
  async notifyReplaced(em: EntityManager, user: UserEntity, previous: { email: string; verified: boolean }): Promise<boolean> {
    if (!this.config.emailNotifyPrevious || !previous.verified || !previous.email || previous.email === user.email) return false;
    // §7.6: the notice counts toward the caps; one over a cap is dropped (and logged), never the change
    if (!(await this.limits.allowsNotice(em, user.id, previous.email, user.changedAt, MailKind.emailChanged))) return false;
    let undoUrl = '';
    const ttl = this.config.emailUndoTtlSeconds;
    if (ttl > 0) {
      const token = randomBytesPooled(32).toString('base64url');
      await this.undo.insert(em, {
        id: this.ids.next(),
        userId: user.id,
        tokenHash: this.hash(token),
        previousEmail: previous.email,
        newEmail: user.email,
        createdAt: user.changedAt,
        expiresAt: new Date(user.changedAt.getTime() + ttl * 1000),
        usedAt: null,
      });
      undoUrl = `${this.config.externalUrl}${UNDO_PATH}?token=${token}`;
    }
    await this.outbox.enqueue(em, {
      kind: MailKind.emailChanged,
      userId: user.id,
      recipient: previous.email,
      // the undo link is the notice's button (the `emailchanged` text's buttonText)
      data: { ...userMailData(user), url: undoUrl },
    });
    return true;
  }

  /**
   * Uses an undo link: restores the previous verified address, voids any pending code and
   * address and every open undo link, revokes the user's PATs (unless
   * EMAIL_UNDO_REVOKES_TOKENS=false), records the revert and tells the address that replaced it.
   */
  async undoChange(token: string): Promise<Details> {
    const { result, mailed } = await this.uow.run(async (em) => {
      const link = await this.undo.findForUpdate(em, this.hash(token));
      const now = this.clock.now();
      if (!link || link.usedAt !== null || link.expiresAt <= now) throw undoRefused();
      const found = await this.targets.lockWithRoles(em, link.userId);
      if (!found) throw undoRefused();
      const user = found.user;
      user.changedAt = now;
      const replaced = user.email;
      await this.codes.delete(em, user.id);
      await this.undo.useAll(em, user.id, now);
      const revoked = this.config.emailUndoRevokesTokens ? await this.tokens.revokeAll(em, user.id, now) : 0;
      const sequence = await this.users.commit(
        em,
        user,
        { email: link.previousEmail, emailVerified: true, pendingEmail: null },
        [{ type: EmailChangeEvents.reverted, payload: { email: link.previousEmail, replacedEmail: replaced, tokensRevoked: revoked } }],
        // the link is the credential, as the code is on the hosted verification page: no caller
        '',
      );
      // the address the link's change set (it may since have been replaced again: tell the current one too)
      let mailed = false;
      for (const to of new Set([link.newEmail, replaced])) {
        if (to === link.previousEmail) continue;
        const sent = await this.notice(em, now, {
          kind: MailKind.emailChangeReverted,
          userId: user.id,
          recipient: to,
          data: userMailData(user),
        });
        mailed ||= sent;
      }
      return { result: details(sequence, now, user.orgId), mailed };
    });
    if (mailed) this.outbox.wake();
    return result;
  }

  /** verify-first: drops the pending address and its code; the current address stays. */
  async cancelPending(call: Call<{ userId: string }>): Promise<{ details: Details }> {
    return this.uow.run(async (em) => {
      const user = await this.targets.lock(em, call);
      if (user.pendingEmail === null) throw failedPrecondition('EMAIL-n0pend', 'No email address is pending');
      user.changedAt = this.clock.now();
      const dropped = user.pendingEmail;
      await this.codes.delete(em, user.id);
      const sequence = await this.users.commit(
        em,
        user,
        { pendingEmail: null },
        [{ type: EmailChangeEvents.cancelled, payload: { email: dropped } }],
        call.caller?.userId ?? '',
      );
      return { details: details(sequence, user.changedAt, user.orgId) };
    });
  }

  /**
   * A notice (change undone): enqueued in the change's transaction. It counts toward the mail
   * caps (§7.6); one over a cap is dropped and logged, and never refuses the change it reports.
   */
  private async notice(em: EntityManager, now: Date, mail: Mail): Promise<boolean> {
    if (!(await this.limits.allowsNotice(em, mail.userId, mail.recipient, now, mail.kind))) return false;
    await this.outbox.enqueue(em, mail);
    return true;
  }

  /** Keyed like the codes, in its own domain so an undo token never matches a code hash. */
  private hash(token: string): string {
    return this.box.hmac(`email-undo\u0000${token}`);
  }
}
