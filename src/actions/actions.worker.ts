import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { SecretBox } from '../common/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { ActionCallEntity } from '../database/entities/action-call.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { redactText } from '../observability/logging.js';
import { MetricsService } from '../observability/metrics.service.js';
import { backoffMs } from '../outbox/outbox.worker.js';
import { ActionQueue } from './action-queue.js';
import { SIGNING_HEADER, signatureHeader } from './signing.js';
import { EndpointRefused, parseEndpoint, resolveEndpoint } from './ssrf.js';
import { callTarget, TargetCallError } from './target-call.js';

const BATCH = 50;
/** Enqueued changes fanned out per round (each holds a call per event and target: usually one or two). */
const FANOUT_BATCH = 200;
/** The header that carries the call's stable ID, for receivers to drop a repeated delivery. */
export const DELIVERY_ID_HEADER = 'Delivery-Id';

/**
 * Delivers the action calls: the mail outbox's worker loop (claim with a lease, deliver, record;
 * polled, and woken after a commit that enqueued calls), with retries on non-2xx answers,
 * refused addresses and time-outs, backoff capped at ACTIONS_RETRY_MAX_MS, dead after
 * ACTIONS_MAX_ATTEMPTS. Runs where mail is delivered (MAIL_WORKER=inline, or npm run worker).
 */
@Injectable()
export class ActionsWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ActionsWorker');
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly queue: ActionQueue,
    private readonly uow: UnitOfWork,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onWake(() => this.wake());
    this.loop = this.run();
  }

  /** Stops claiming; resolves once the calls in hand are delivered or recorded. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
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
        this.logger.error(`action calls poll failed: ${redactText((e as Error).message)}`);
      }
      // a delivered call may have unblocked the next one of an ordered target: look again at once
      if (claimed === 0 && this.running) await this.idle();
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

  /**
   * Fans out the changes enqueued since (their calls become due), claims one batch and delivers
   * it; returns how many rows were fanned out and calls claimed (0: nothing to do).
   */
  async drainOnce(): Promise<number> {
    const now = this.clock.now().getTime();
    let fanned = 0;
    // a transaction of its own: a fan-out that fails does not hold up the calls already queued,
    // and the claims of other workers do not wait for the fan-outs' lock (PostgreSQL)
    try {
      if (await this.queue.hasQueuedChanges()) fanned = await this.uow.run((em) => this.queue.fanOut(em, FANOUT_BATCH));
    } catch (e) {
      this.logger.error(
        `fanning out the enqueued action calls failed (the calls already queued are still delivered): ${redactText((e as Error).message)}`,
      );
    }
    const batch = await this.uow.run((em) => this.queue.claimDue(em, now, now + this.config.outboxLeaseMs, BATCH));
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.config.outboxConcurrency, batch.length) }, async () => {
      while (next < batch.length) await this.deliver(batch[next++]!);
    });
    await Promise.all(lanes);
    return fanned + batch.length;
  }

  private async deliver(call: ActionCallEntity): Promise<void> {
    const target = await this.queue.target(call.targetId);
    try {
      if (!target) throw Object.assign(new Error('the target was deleted'), { permanent: true });
      const body = await this.queue.body(call);
      if (body === null) throw Object.assign(new Error('the call has no event and no body'), { permanent: true });
      const url = parseEndpoint(target.endpoint);
      // checked again at every call, and the connection pinned to the address checked
      const address = await resolveEndpoint(url, this.config.actions.allowPrivateNetworks);
      const status = await callTarget({
        url,
        address,
        body,
        timeoutMs: target.timeoutMs,
        headers: {
          [SIGNING_HEADER]: signatureHeader(this.clock.now(), body, this.box.decrypt(target.signingKey)),
          [DELIVERY_ID_HEADER]: call.id,
        },
      });
      await this.uow.run((em) => this.queue.markSent(em, call.id, this.clock.now()));
      this.metrics.actionCalls.inc({ target: call.targetId, outcome: 'sent' });
      this.logger.debug(`action call ${call.id} to target ${call.targetId} delivered (HTTP ${status}, attempt ${call.attempts})`);
    } catch (e) {
      const reason = describe(e);
      const dead = (e as { permanent?: boolean }).permanent === true || call.attempts >= this.config.actions.maxAttempts;
      const { retryBaseMs, retryMaxMs } = this.config.actions;
      const next = new Date(this.clock.now().getTime() + backoffMs(call.attempts, retryBaseMs, Math.random, retryMaxMs));
      await this.uow.run((em) => this.queue.markFailed(em, call.id, dead ? 'dead' : 'retrying', next, reason));
      this.metrics.actionCalls.inc({ target: call.targetId, outcome: dead ? 'dead' : 'retry' });
      const what = `action call ${call.id} (${call.eventType}) to target ${call.targetId}`;
      if (dead) this.logger.error(`${what} is dead after ${call.attempts} attempt(s): ${reason}`);
      else this.logger.warn(`${what} failed (attempt ${call.attempts}), retry at ${next.toISOString()}: ${reason}`);
    }
  }
}

/** The failure as stored and logged: no body, no key; addresses in free text masked. */
function describe(e: unknown): string {
  if (e instanceof TargetCallError || e instanceof EndpointRefused) return redactText(e.message);
  const err = e as { code?: string; message?: string };
  return redactText([err?.code, err?.message].filter(Boolean).join(': ') || String(e));
}
