import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { resourceExhausted } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { maskEmail } from '../observability/logging.js';
import { MailKind, OutboxService } from '../outbox/outbox.service.js';

const DAY_MS = 24 * 3600_000;

/**
 * beyond ZITADEL: the resend cooldown and the daily caps (spec §5, §7.6), counted from the
 * outbox inside the change's transaction.
 * - per user: every mailing change also bumps the user's sequence, so two instances racing on
 *   one user are serialised by the optimistic-concurrency retry and the second one counts the
 *   first one's mail;
 * - per recipient address, all users together (EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY), so that
 *   fresh accounts cannot flood a third party's inbox: counted by the address's keyed hash.
 * Both caps count every mail kind: codes and notices alike.
 */
@Injectable()
export class MailLimits {
  private readonly logger = new Logger('MailLimits');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {}

  /** Before a code is mailed: 429 with Retry-After when the cooldown or a cap holds it back. */
  async check(em: EntityManager, userId: string, recipient: string, now: Date, cooldown: boolean): Promise<void> {
    const refusal = await this.refusal(em, userId, recipient, now, cooldown);
    if (refusal) throw refusal;
  }

  /**
   * Before a notice (address changed, change undone) is mailed: whether it may go. A notice over
   * a cap is dropped and logged; it never refuses the change it reports.
   */
  async allowsNotice(em: EntityManager, userId: string, recipient: string, now: Date, kind: string): Promise<boolean> {
    const refusal = await this.refusal(em, userId, recipient, now, false);
    if (!refusal) return true;
    this.logger.warn(`${kind} notice to ${maskEmail(recipient)} for user ${userId} dropped: ${refusal.message} (${refusal.id})`);
    return false;
  }

  private async refusal(em: EntityManager, userId: string, recipient: string, now: Date, cooldown: boolean) {
    return (await this.perUser(em, userId, recipient, now, cooldown)) ?? (await this.perAddress(em, recipient, now));
  }

  private async perUser(em: EntityManager, userId: string, recipient: string, now: Date, cooldown: boolean) {
    const cooldownMs = cooldown ? this.config.emailResendCooldownSeconds * 1000 : 0;
    const max = this.config.emailMaxMailsPerDay;
    if (cooldownMs === 0 && max === 0) return undefined;
    const t = now.getTime();
    const mails = await this.outbox.recent(em, userId, new Date(t - Math.max(DAY_MS, cooldownMs)));
    if (cooldownMs > 0) {
      const last = mails.find((m) => m.kind === MailKind.verifyEmail && m.recipient === recipient);
      if (last && t - last.createdAt.getTime() < cooldownMs) {
        return resourceExhausted(
          'EMAIL-c00ld',
          'A code was mailed to this address moments ago; retry later',
          seconds(last.createdAt.getTime() + cooldownMs - t),
        );
      }
    }
    if (max > 0) {
      const today = mails.filter((m) => t - m.createdAt.getTime() < DAY_MS);
      if (today.length >= max) {
        // the window frees up when the oldest mail that keeps it full turns 24 h old
        const oldest = today[max - 1]!.createdAt.getTime();
        return resourceExhausted(
          'EMAIL-d4ily',
          'Too many verification mails for this user today; retry later',
          seconds(oldest + DAY_MS - t),
        );
      }
    }
    return undefined;
  }

  private async perAddress(em: EntityManager, recipient: string, now: Date) {
    const max = this.config.emailMaxMailsPerAddressPerDay;
    if (max === 0) return undefined;
    const t = now.getTime();
    const today = await this.outbox.recentToRecipient(em, recipient, new Date(t - DAY_MS), max);
    if (today.length < max) return undefined;
    return resourceExhausted(
      'EMAIL-4ddr5',
      'Too many mails to this address today; retry later',
      seconds(today[max - 1]!.getTime() + DAY_MS - t),
    );
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
