import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { SecretBox } from '../common/secret-box.js';
import { AppError, failedPrecondition, invalidArgument } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { MetricsService } from '../observability/metrics.service.js';
import { MailKind, OutboxService } from '../outbox/outbox.service.js';
import type { Call } from '../pipeline/operation.js';
import { NewEvent, UsersRepository } from '../users/users.repository.js';
import { UserTargets } from '../users/user-targets.js';
import { assertValidEmailAddress } from './email-address.js';
import { EmailCodesRepository } from './email-codes.repository.js';
import { IDEMPOTENCY_WINDOW_MS, IdempotencyRepository, requestHash } from './idempotency.repository.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from './inputs/email-code.input.js';
import { SetEmailInput } from './inputs/set-email.input.js';
import { Verification } from './inputs/verification.js';
import { MailLimits } from './mail-limits.js';
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

const codeInvalid = () => invalidArgument('COMMAND-eis9R', 'Code is invalid');

/** What a unit of work decided: a result to answer (and remember), or an error to answer after committing. */
type Outcome<T> = { result: T; mailed: boolean } | { error: AppError };

/** The contact-email use cases. Callers have passed validation and the access checks. */
@Injectable()
export class EmailService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UsersRepository,
    private readonly targets: UserTargets,
    private readonly codes: EmailCodesRepository,
    private readonly verificationCodes: VerificationCodes,
    private readonly urlTemplates: UrlTemplates,
    private readonly outbox: OutboxService,
    private readonly limits: MailLimits,
    private readonly idempotency: IdempotencyRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** SetEmail: a new address, with a code mailed or returned, or stored as verified. */
  setEmail(call: Call<SetEmailInput>): Promise<EmailChangeResult> {
    const { input } = call;
    const verification = input.verification;
    return this.change(call, 'SetEmail', async (em, user, actorId) => {
      assertValidEmailAddress(input.email);
      if (user.email === input.email) throw failedPrecondition('COMMAND-Uch5e', 'Email not changed');
      const previous = { email: user.email, verified: user.emailVerified };
      const events: NewEvent[] = [{ type: EmailEvents.changed, payload: { email: input.email } }];
      user.email = input.email;
      const issued = await this.applyVerification(em, user, verification, events, previous.email, false);
      if (this.config.emailNotifyPrevious && previous.verified && previous.email) {
        // beyond ZITADEL: tell the replaced address, and nothing more (not the new address)
        await this.outbox.enqueue(em, {
          kind: MailKind.emailChanged,
          userId: user.id,
          recipient: previous.email,
          data: { displayName: user.displayName },
        });
        issued.mailed = true;
      }
      const sequence = await this.users.commit(
        em,
        user,
        { email: input.email, emailVerified: verification.kind === 'verified' },
        events,
        actorId,
      );
      return { result: { details: details(sequence, user.changedAt, user.orgId), verificationCode: issued.code }, mailed: issued.mailed };
    });
  }

  /** ResendEmailCode: a new code for the pending verification; none pending → EMAIL-5w5ilin4yt. */
  resendCode(call: Call<ResendEmailCodeInput>): Promise<EmailChangeResult> {
    return this.change(call, 'ResendEmailCode', async (em, user, actorId) => {
      const pending = await this.codes.find(em, user.id);
      if (!pending) throw failedPrecondition('EMAIL-5w5ilin4yt', 'Code is empty');
      return this.newCode(em, actorId, user, call.input.verification);
    });
  }

  /** SendEmailCode: always a fresh code, replacing any pending one. */
  sendCode(call: Call<SendEmailCodeInput>): Promise<EmailChangeResult> {
    return this.change(call, 'SendEmailCode', (em, user, actorId) => this.newCode(em, actorId, user, call.input.verification));
  }

  /**
   * VerifyEmail: the code is the credential. A wrong, expired or used code answers COMMAND-eis9R
   * and records a failed attempt; after EMAIL_CODE_MAX_ATTEMPTS the code is dead, with the same answer.
   */
  verify(call: Call<VerifyEmailInput>): Promise<EmailChangeResult> {
    const { input } = call;
    return this.change<EmailChangeResult>(call, 'VerifyEmail', async (em, user, actorId) => {
      const code = await this.codes.find(em, user.id);
      const now = user.changedAt;
      const usable = code !== null && code.email === user.email && code.expiresAt > now && code.attempts < this.config.emailCodeMaxAttempts;
      if (!usable || !this.verificationCodes.matches(user.id, input.verificationCode, code.codeHash)) {
        if (code) {
          const attempts = code.attempts + 1;
          if (attempts >= this.config.emailCodeMaxAttempts || !usable) await this.codes.delete(em, user.id);
          else await this.codes.replace(em, { ...code, attempts });
        }
        await this.users.commit(em, user, {}, [{ type: EmailEvents.verificationFailed }], actorId);
        this.metrics.codeVerifications.inc({ outcome: 'invalid' });
        return { error: codeInvalid() };
      }
      await this.codes.delete(em, user.id);
      const sequence = await this.users.commit(em, user, { emailVerified: true }, [{ type: EmailEvents.verified }], actorId);
      this.metrics.codeVerifications.inc({ outcome: 'verified' });
      return { result: { details: details(sequence, now, user.orgId) }, mailed: false };
    });
  }

  private async newCode(
    em: EntityManager,
    actorId: string,
    user: UserEntity,
    verification: Verification,
  ): Promise<Outcome<EmailChangeResult>> {
    const events: NewEvent[] = [];
    const issued = await this.applyVerification(em, user, verification, events, user.email, true);
    const sequence = await this.users.commit(em, user, {}, events, actorId);
    return { result: { details: details(sequence, user.changedAt, user.orgId), verificationCode: issued.code }, mailed: issued.mailed };
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
    cooldown: boolean,
  ): Promise<{ code?: string; mailed: boolean }> {
    if (verification.kind === 'verified') {
      await this.codes.delete(em, user.id);
      events.push({ type: EmailEvents.verified });
      return { mailed: false };
    }
    const now = user.changedAt;
    if (verification.kind === 'send') await this.limits.check(em, user.id, user.email, now, cooldown);
    const code = this.verificationCodes.generate();
    const urlTemplate = verification.kind === 'send' ? (verification.urlTemplate ?? null) : null;
    await this.codes.replace(em, {
      userId: user.id,
      codeHash: this.verificationCodes.hash(user.id, code),
      email: user.email,
      urlTemplate,
      attempts: 0,
      createdAt: now,
      expiresAt: this.verificationCodes.expiry(now),
    });
    events.push({
      type: EmailEvents.codeAdded,
      payload: { expirySeconds: this.config.emailCodeTtlSeconds, urlTemplate, codeReturned: verification.kind === 'return' },
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
    await this.outbox.enqueue(em, {
      kind: MailKind.verifyEmail,
      userId: user.id,
      recipient: user.email,
      data: { displayName: user.displayName, code, url },
    });
    return { mailed: true };
  }

  /**
   * One email operation in one transaction: loads and locks the user, checks the call's access
   * rule on that row, runs `work`, and with an Idempotency-Key replays the first response of a retry.
   */
  private async change<T>(
    call: Call<{ userId: string; idempotencyKey?: string }>,
    operation: string,
    work: (em: EntityManager, user: UserEntity, actorId: string) => Promise<Outcome<T>>,
  ): Promise<T> {
    const { input } = call;
    const actorId = call.caller?.userId ?? '';
    const key = input.idempotencyKey;
    const hash = key ? requestHash(operation, input) : '';
    let outcome: Outcome<T> | { replay: T };
    try {
      outcome = await this.uow.run(async (em) => {
        // the user first: its row lock (PostgreSQL) queues retries of one key behind the first
        // request, so they find its answer below instead of redoing the change
        const user = await this.targets.lock(em, call);
        const now = this.clock.now();
        if (key) {
          const prior = await this.idempotency.find(actorId, key, em);
          if (prior && now.getTime() - prior.createdAt.getTime() < IDEMPOTENCY_WINDOW_MS)
            return { replay: this.replay<T>(prior, operation, hash) };
        }
        user.changedAt = now;
        const out = await work(em, user, actorId);
        if (key && 'result' in out) {
          await this.idempotency.save(em, {
            callerId: actorId,
            key,
            operation,
            requestHash: hash,
            response: this.box.encrypt(JSON.stringify(out.result)),
            createdAt: now,
          });
        }
        return out;
      });
    } catch (e) {
      // the same key raced us and committed first: answer as its retry
      if (key && this.idempotency.isDuplicate(e)) {
        const prior = await this.idempotency.find(actorId, key);
        if (prior) return this.replay<T>(prior, operation, hash);
      }
      throw e;
    }
    if ('replay' in outcome) return outcome.replay;
    if ('error' in outcome) throw outcome.error;
    if (outcome.mailed) this.outbox.wake();
    return outcome.result;
  }

  private replay<T>(prior: { operation: string; requestHash: string; response: string }, operation: string, hash: string): T {
    if (prior.operation !== operation || prior.requestHash !== hash) {
      throw invalidArgument('EMAIL-1dem9', 'Idempotency-Key was already used for a different request; use a new key');
    }
    // the remembered answer may hold a returned code: sealed like the outbox payloads
    return JSON.parse(this.box.decrypt(prior.response), (k, v: unknown) =>
      k === 'changeDate' && typeof v === 'string' ? new Date(v) : v,
    ) as T;
  }
}
