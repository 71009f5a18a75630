import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { resourceExhausted } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { MailKind, OutboxService } from '../outbox/outbox.service.js';

const DAY_MS = 24 * 3600_000;

/**
 * beyond ZITADEL: the resend cooldown and the daily cap of verification mails (spec §5),
 * counted from the outbox inside the change's transaction. Every mailing change also bumps
 * the user's sequence, so two instances racing on one user are serialised by the
 * optimistic-concurrency retry and the second one counts the first one's mail.
 */
@Injectable()
export class MailLimits {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {}

  async check(em: EntityManager, userId: string, recipient: string, now: Date, cooldown: boolean): Promise<void> {
    const cooldownMs = cooldown ? this.config.emailResendCooldownSeconds * 1000 : 0;
    const max = this.config.emailMaxMailsPerDay;
    if (cooldownMs === 0 && max === 0) return;
    const t = now.getTime();
    const mails = await this.outbox.recent(em, userId, MailKind.verifyEmail, new Date(t - Math.max(DAY_MS, cooldownMs)));
    if (cooldownMs > 0) {
      const last = mails.find((m) => m.recipient === recipient);
      if (last && t - last.createdAt.getTime() < cooldownMs) {
        throw resourceExhausted(
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
        throw resourceExhausted(
          'EMAIL-d4ily',
          'Too many verification mails for this user today; retry later',
          seconds(oldest + DAY_MS - t),
        );
      }
    }
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
