import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Details, details } from '../common/details.js';
import { SecretBox } from '../common/secret-box.js';
import { AppError, failedPrecondition, invalidArgument } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { Idempotency, IdempotentRequest } from '../database/idempotency.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { MetricsService } from '../observability/metrics.service.js';
import { MailKind, OutboxService } from '../outbox/outbox.service.js';
import type { Call } from '../pipeline/operation.js';
import { MutableColumn, NewEvent, UserStore } from '../users/user-store.js';
import { UserTargets } from '../users/user-targets.js';
import { EmailChangeService } from './email-change.service.js';
import { assertValidEmailAddress } from './email-address.js';
import { EmailCodesRepository } from './email-codes.repository.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from './inputs/email-code.input.js';
import { SetEmailInput } from './inputs/set-email.input.js';
import { Verification } from './inputs/verification.js';
import { MailLimits } from './mail-limits.js';
import { userMailData } from './mail-data.js';
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

export const codeInvalid = () => invalidArgument('COMMAND-eis9R', 'Code is invalid');

/** The per-source failure counts of a pending code (a JSON object; anything else counts as none). */
function parseCounts(json: string): Record<string, number> {
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** What an email change asks of its verification (applyVerification). */
export interface VerificationRequest {
  /** The user, already carrying the new address. */
  user: UserEntity;
  verification: Verification;
  /** The address before the change ({{.LastEmail}} of the URL template). */
  previousEmail: string;
  /** Whether the resend cooldown applies (Resend/SendEmailCode, not a new address). */
  cooldown: boolean;
}

/** The verification's events for the caller to commit, the code when it is returned, and whether a mail was enqueued. */
export interface IssuedVerification {
  events: NewEvent[];
  code?: string;
  mailed: boolean;
}

/**
 * Changes to a user made along an email operation in its unit of work (UpdateUser's username and
 * profile): `apply` sets them on the loaded user and returns the columns and events to commit;
 * `request` is what the Idempotency-Key's request hash covers besides the email input.
 */
export interface AlongChange {
  request: unknown;
  apply(em: EntityManager, user: UserEntity): Promise<{ changes: Partial<Pick<UserEntity, MutableColumn>>; events: NewEvent[] }>;
}

/** What a unit of work decided: a result to answer (and remember), or an error to answer after committing. */
type Outcome<T> = { result: T; mailed: boolean } | { error: AppError };

/** The contact-email use cases. Callers have passed validation and the access checks. */
@Injectable()
export class EmailService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UserStore,
    private readonly targets: UserTargets,
    private readonly codes: EmailCodesRepository,
    private readonly verificationCodes: VerificationCodes,
    private readonly urlTemplates: UrlTemplates,
    private readonly outbox: OutboxService,
    private readonly limits: MailLimits,
    private readonly idempotency: Idempotency,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly emailChanges: EmailChangeService,
  ) {}

  /** SetEmail: a new address, with a code mailed or returned, or stored as verified. */
  setEmail(call: Call<SetEmailInput>): Promise<EmailChangeResult> {
    return this.setEmailAlong(call, 'SetEmail', null);
  }

  /**
   * SetEmail's use case, optionally with other changes to the same user in the same unit of
   * work, applied first (UpdateUser's username and profile): one transaction, one commit.
   */
  setEmailAlong(call: Call<SetEmailInput>, operation: string, along: AlongChange | null): Promise<EmailChangeResult> {
    const { input } = call;
    const verification = input.verification;
    const hashed = along ? { ...input, along: along.request } : undefined;
    return this.change(call, { operation, hashed }, async (em, user, actorId) => {
      const alongChanges = along ? await along.apply(em, user) : { changes: {}, events: [] };
      assertValidEmailAddress(input.email);
      // spec §10: with an address pending, "not changed" is judged against it
      if ((user.pendingEmail ?? user.email) === input.email) throw failedPrecondition('COMMAND-Uch5e', 'Email not changed');
      const previous = { email: user.email, verified: user.emailVerified };
      const pending = this.emailChanges.holdsPending(verification);
      let changes: Partial<Pick<UserEntity, MutableColumn>>;
      if (pending) {
        // verify-first: the current address stays until the new one is verified
        user.pendingEmail = input.email;
        changes = { ...alongChanges.changes, pendingEmail: input.email };
      } else {
        user.email = input.email;
        user.pendingEmail = null;
        changes = { ...alongChanges.changes, email: input.email, emailVerified: verification.kind === 'verified', pendingEmail: null };
      }
      const issued = await this.applyVerification(em, { user, verification, previousEmail: previous.email, cooldown: false });
      const events: NewEvent[] = [
        ...alongChanges.events,
        { type: EmailEvents.changed, payload: pending ? { email: input.email, pending: true } : { email: input.email } },
        ...issued.events,
      ];
      // beyond ZITADEL: tell the replaced address (with an undo link), and nothing more
      const notified = !pending && (await this.emailChanges.notifyReplaced(em, user, previous));
      const sequence = await this.users.commit(em, user, changes, events, actorId);
      return {
        result: { details: details(sequence, user.changedAt, user.orgId), verificationCode: issued.code },
        mailed: issued.mailed || notified,
      };
    });
  }

  /** UpdateUser without an email: the other changes, in SetEmail's unit of work (lock, access rule, idempotency, commit). */
  changeUser(
    call: Call<{ userId: string; idempotencyKey?: string }>,
    operation: string,
    along: AlongChange,
  ): Promise<{ details: Details }> {
    return this.change(call, { operation, hashed: { ...call.input, along: along.request } }, async (em, user, actorId, lastChanged) => {
      const { changes, events } = await along.apply(em, user);
      // nothing changed: ZITADEL answers the user's current state
      const sequence = events.length ? await this.users.commit(em, user, changes, events, actorId) : user.sequence;
      const changeDate = events.length ? user.changedAt : lastChanged;
      return { result: { details: details(sequence, changeDate, user.orgId) }, mailed: false };
    });
  }

  /** ResendEmailCode: a new code for the pending verification; none pending → EMAIL-5w5ilin4yt. */
  resendCode(call: Call<ResendEmailCodeInput>): Promise<EmailChangeResult> {
    return this.change(call, { operation: 'ResendEmailCode' }, async (em, user, actorId) => {
      const pending = await this.codes.find(em, user.id);
      if (!pending) throw failedPrecondition('EMAIL-5w5ilin4yt', 'Code is empty');
      return this.newCode(em, actorId, user, call.input.verification);
    });
  }

  /** SendEmailCode: always a fresh code, replacing any pending one. */
  sendCode(call: Call<SendEmailCodeInput>): Promise<EmailChangeResult> {
    return this.change(call, { operation: 'SendEmailCode' }, (em, user, actorId) =>
      this.newCode(em, actorId, user, call.input.verification),
    );
  }

  /**
   * VerifyEmail: the code is the credential. A wrong, expired or used code answers COMMAND-eis9R.
   * Failures count per source (§7.4: the caller, or the client IP when anonymous): a source with
   * EMAIL_CODE_MAX_ATTEMPTS failures is refused for this code with the same answer, uncounted
   * and unrecorded; EMAIL_CODE_MAX_TOTAL_ATTEMPTS failures from all sources kill the code. Only
   * counted failures append a verification.failed event, so a code carries at most that many.
   */
  verify(call: Call<VerifyEmailInput>): Promise<EmailChangeResult> {
    const { input } = call;
    return this.change<EmailChangeResult>(call, { operation: 'VerifyEmail', hidden: codeInvalid }, async (em, user, actorId) => {
      const code = await this.codes.find(em, user.id);
      const now = user.changedAt;
      const failed = (): Outcome<EmailChangeResult> => {
        this.metrics.codeVerifications.inc({ outcome: 'invalid' });
        return { error: codeInvalid() };
      };
      // nothing pending: nothing to count and nothing to record
      if (!code) return failed();
      const bySource = parseCounts(code.sourceAttempts);
      const source = this.box.hmac(`verify-attempts\u0000${call.source}`).slice(0, 16);
      const mine = bySource[source] ?? 0;
      if (mine >= this.config.emailCodeMaxAttempts) return failed();
      // verify-first: the code belongs to the pending address (spec §10)
      const address = user.pendingEmail ?? user.email;
      const usable = code.email === address && code.expiresAt > now;
      if (usable && this.verificationCodes.matches(user.id, input.verificationCode, code.codeHash)) {
        await this.codes.delete(em, user.id);
        let mailed = false;
        const promoted = user.pendingEmail !== null;
        if (user.pendingEmail !== null) {
          // spec §10 verify-first: the pending address replaces the current one now, and only now is the old one told
          const previous = { email: user.email, verified: user.emailVerified };
          user.email = user.pendingEmail;
          user.emailVerified = true;
          user.pendingEmail = null;
          mailed = await this.emailChanges.notifyReplaced(em, user, previous);
        }
        const sequence = await this.users.commit(
          em,
          user,
          { email: user.email, emailVerified: true, pendingEmail: null },
          [{ type: EmailEvents.verified, payload: promoted ? { email: address, promoted: true } : null }],
          actorId,
        );
        this.metrics.codeVerifications.inc({ outcome: 'verified' });
        return { result: { details: details(sequence, now, user.orgId) }, mailed };
      }
      const attempts = code.attempts + 1;
      if (!usable || attempts >= this.config.emailCodeMaxTotalAttempts) await this.codes.delete(em, user.id);
      else await this.codes.replace(em, { ...code, attempts, sourceAttempts: JSON.stringify({ ...bySource, [source]: mine + 1 }) });
      await this.users.commit(em, user, {}, [{ type: EmailEvents.verificationFailed }], actorId);
      return failed();
    });
  }

  private async newCode(
    em: EntityManager,
    actorId: string,
    user: UserEntity,
    verification: Verification,
  ): Promise<Outcome<EmailChangeResult>> {
    const issued = await this.applyVerification(em, { user, verification, previousEmail: user.email, cooldown: true });
    const sequence = await this.users.commit(em, user, {}, issued.events, actorId);
    return { result: { details: details(sequence, user.changedAt, user.orgId), verificationCode: issued.code }, mailed: issued.mailed };
  }

  /**
   * The verification half of an email change, shared with AddHumanUser: either the verified
   * event, or a new code (replacing any pending one) that is mailed through the outbox or
   * handed back. Returns the events for the caller to commit with its own.
   */
  async applyVerification(em: EntityManager, request: VerificationRequest): Promise<IssuedVerification> {
    const { user, verification, previousEmail, cooldown } = request;
    if (verification.kind === 'verified') {
      await this.codes.delete(em, user.id);
      return { events: [{ type: EmailEvents.verified }], mailed: false };
    }
    const now = user.changedAt;
    // verify-first: codes are for the pending address (spec §10)
    const address = user.pendingEmail ?? user.email;
    if (verification.kind === 'send') await this.limits.check(em, user.id, address, now, cooldown);
    const code = this.verificationCodes.generate();
    const urlTemplate = verification.kind === 'send' ? (verification.urlTemplate ?? null) : null;
    await this.codes.replace(em, {
      userId: user.id,
      codeHash: this.verificationCodes.hash(user.id, code),
      email: address,
      urlTemplate,
      attempts: 0,
      sourceAttempts: '{}',
      createdAt: now,
      expiresAt: this.verificationCodes.expiry(now),
    });
    const events: NewEvent[] = [
      {
        type: EmailEvents.codeAdded,
        payload: { expirySeconds: this.config.emailCodeTtlSeconds, urlTemplate, codeReturned: verification.kind === 'return' },
      },
    ];
    if (verification.kind === 'return') return { events, code, mailed: false };
    const url = this.urlTemplates.link(
      urlTemplate,
      {
        UserID: user.id,
        Code: code,
        OrgID: user.orgId,
        LoginName: user.username,
        DisplayName: user.displayName,
        PreferredLoginName: user.username,
        LastEmail: previousEmail,
      },
      user.preferredLanguage,
    );
    await this.outbox.enqueue(em, {
      kind: MailKind.verifyEmail,
      userId: user.id,
      recipient: address,
      data: { ...userMailData(user), code, url },
    });
    return { events, mailed: true };
  }

  /**
   * One email operation in one transaction: loads and locks the user, checks the call's access
   * rule on that row, runs `work`; with an Idempotency-Key a retry gets the first answer.
   * `hidden`: the answer for a user the caller cannot read (VerifyEmail, §7.3).
   */
  private async change<T>(
    call: Call<{ userId: string; idempotencyKey?: string }>,
    /** `hashed`: what the Idempotency-Key's request hash covers, when more than the input (UpdateUser). */
    options: { operation: string; hidden?: () => AppError; hashed?: object },
    work: (em: EntityManager, user: UserEntity, actorId: string, lastChanged: Date) => Promise<Outcome<T>>,
  ): Promise<T> {
    const actorId = call.caller?.userId ?? '';
    const key = call.input.idempotencyKey;
    const request: IdempotentRequest | null = key
      ? { callerId: actorId, key, operation: options.operation, input: options.hashed ?? call.input }
      : null;
    let outcome: Outcome<T> | { replay: T };
    try {
      outcome = await this.uow.run(async (em) => {
        // the user first: its row lock (PostgreSQL) queues retries of one key behind the first
        // request, so they find its answer below instead of redoing the change
        const user = await this.targets.lock(em, call, options.hidden);
        const now = this.clock.now();
        const prior = request ? await this.idempotency.prior<T>(em, request, now) : undefined;
        if (prior !== undefined) return { replay: prior };
        const lastChanged = user.changedAt;
        user.changedAt = now;
        const out = await work(em, user, actorId, lastChanged);
        if (request && 'result' in out) await this.idempotency.remember(em, request, out.result, now);
        return out;
      });
    } catch (e) {
      // the same key raced us and committed first: answer as its retry
      const raced = request ? await this.idempotency.raced<T>(e, request) : undefined;
      if (raced !== undefined) return raced;
      throw e;
    }
    if ('replay' in outcome) return outcome.replay;
    if ('error' in outcome) throw outcome.error;
    if (outcome.mailed) this.outbox.wake();
    return outcome.result;
  }
}
