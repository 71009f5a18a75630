import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { SecretBox } from '../common/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { OutboxMessageEntity } from '../database/entities/outbox-message.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { redactText } from '../observability/logging.js';
import { MetricsService } from '../observability/metrics.service.js';
import { MailSender } from './mail-sender.js';
import { OutboxService } from './outbox.service.js';
import { UserStore } from '../users/user-store.js';
import type { EntityManager } from 'typeorm';

/** Recorded on the user when one of its mails is dead (beyond ZITADEL). */
export const MAIL_DEAD_EVENT = 'user.human.email.delivery.dead';

const BATCH = 50;
const MAX_BACKOFF_MS = 15 * 60_000;

/** Whether an SMTP failure will not get better by retrying (5xx), as opposed to 4xx or network errors. */
export function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: number; permanent?: boolean };
  return e?.permanent === true || (typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600);
}

/** Exponential backoff with full jitter in its upper half, capped at `maxMs`. */
export function backoffMs(attempts: number, baseMs: number, random = Math.random, maxMs = MAX_BACKOFF_MS): number {
  const ceiling = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Delivers the outbox: claims due mails with a lease, sends them, records the outcome. Runs
 * inside the API process (MAIL_WORKER=inline) or alone (npm run worker). Polls, and is woken
 * right after a commit that enqueued mail.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxWorker');
  /** Sent mails whose rows are not marked yet (settleSent), and whether a marking runs. */
  private readonly sent: SentMail[] = [];
  private settling = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: OutboxService,
    private readonly sender: MailSender,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly users: UserStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The user's event that a mail was given up on, in the transaction that marks it dead: the
   * integrator's executions hear of it (spec §9) as of any other event.
   */
  private async recordDead(em: EntityManager, mail: OutboxMessageEntity): Promise<void> {
    const user = await this.users.lockAny(em, mail.userId);
    if (!user) return;
    user.changedAt = this.clock.now();
    await this.users.commit(em, user, {}, [{ type: MAIL_DEAD_EVENT, payload: { deliveryId: mail.id, kind: mail.kind } }], '');
  }

  onApplicationBootstrap(): void {
    if (this.config.mailWorker === 'inline') this.start();
  }

  /**
   * First thing at shutdown, before the mailer closes its SMTP pool and the database closes:
   * claim no more, finish the sends in hand.
   */
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.outbox.onWake(() => this.wake());
    this.loop = this.run();
    this.logger.log(`mail worker started (poll every ${this.config.outboxPollMs} ms)`);
  }

  /** Stops claiming; resolves once the mails in hand are sent or recorded. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
    this.logger.log('mail worker stopped');
  }

  private wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.drainOnce();
      } catch (e) {
        this.logger.error(`outbox poll failed: ${(e as Error).message}`);
      }
      if (claimed < BATCH && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, this.config.outboxPollMs);
      this.wakeUp = done;
    });
  }

  /** Claims one batch and delivers it; returns how many mails were claimed. */
  async drainOnce(): Promise<number> {
    const now = this.clock.now().getTime();
    const batch = await this.uow.run((em) => this.outbox.claimDue(em, now, now + this.config.outboxLeaseMs, BATCH));
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.config.outboxConcurrency, batch.length) }, async () => {
      while (next < batch.length) await this.deliver(batch[next++]!);
    });
    await Promise.all(lanes);
    return batch.length;
  }

  /**
   * Records a sent mail. The lanes' sent mails are marked together: one statement (one
   * transaction) for all those sent while the previous one ran, instead of one transaction per
   * mail. A mail stays 'sending' (leased) until its row is marked, so a crash before that sends
   * it again, as it did when the crash came between its 250 and its own transaction.
   */
  private settleSent(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.sent.push({ id, resolve, reject });
      if (!this.settling) void this.markSentMails();
    });
  }

  private async markSentMails(): Promise<void> {
    this.settling = true;
    try {
      while (this.sent.length > 0) {
        const batch = this.sent.splice(0, BATCH);
        const at = this.clock.now();
        try {
          await this.uow.run((em) =>
            this.outbox.markSent(
              em,
              batch.map((m) => m.id),
              at,
            ),
          );
          for (const m of batch) m.resolve();
        } catch (e) {
          for (const m of batch) m.reject(e);
        }
      }
    } finally {
      this.settling = false;
    }
  }

  private async deliver(mail: OutboxMessageEntity): Promise<void> {
    try {
      if (!mail.payload) throw Object.assign(new Error('mail has no payload'), { permanent: true });
      const data = JSON.parse(this.box.decrypt(mail.payload)) as Record<string, string>;
      await this.sender.send({ id: mail.id, kind: mail.kind, recipient: mail.recipient, data });
    } catch (e) {
      await this.failed(mail, e);
      return;
    }
    this.metrics.mailDeliveries.inc({ outcome: 'sent' });
    try {
      await this.settleSent(mail.id);
      this.logger.debug(`mail ${mail.id} sent (attempt ${mail.attempts})`);
    } catch (e) {
      // the mail went out: not a failed delivery (no retry count, never dead). Its row stays
      // 'sending' and is claimed again when its lease runs out, so it may go out twice
      this.logger.warn(`mail ${mail.id} was sent but its row could not be marked (${describe(e)}); it may be sent again after its lease`);
    }
  }

  /** A failed send: retried after a backoff, or dead (a permanent error, or the last attempt). */
  private async failed(mail: OutboxMessageEntity, e: unknown): Promise<void> {
    const reason = describe(e);
    const dead = isPermanent(e) || mail.attempts >= this.config.outboxMaxAttempts;
    const next = new Date(this.clock.now().getTime() + backoffMs(mail.attempts, this.config.outboxRetryBaseMs));
    if (dead)
      await this.uow.run(async (em) => (await this.outbox.markFailed(em, mail.id, 'dead', next, reason)) && this.recordDead(em, mail));
    else await this.uow.run((em) => this.outbox.markFailed(em, mail.id, 'retrying', next, reason));
    this.metrics.mailDeliveries.inc({ outcome: dead ? 'dead' : 'retry' });
    if (dead) this.logger.error(`mail ${mail.id} is dead after ${mail.attempts} attempt(s): ${reason}`);
    else this.logger.warn(`mail ${mail.id} failed (attempt ${mail.attempts}), retry at ${next.toISOString()}: ${reason}`);
  }
}

/** A sent mail waiting for its row to say so. */
interface SentMail {
  id: string;
  resolve(): void;
  reject(e: unknown): void;
}

/** The failure as stored in last_error and logged: SMTP answers may quote the recipient. */
function describe(e: unknown): string {
  return redactText(describeRaw(e));
}

function describeRaw(e: unknown): string {
  const err = e as { responseCode?: number; response?: string; code?: string; message?: string };
  if (err?.responseCode) return `SMTP ${err.responseCode}: ${err.response ?? err.message ?? ''}`.trim();
  return [err?.code, err?.message].filter(Boolean).join(': ') || String(e);
}
