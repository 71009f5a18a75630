import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IdGenerator } from '../common/id-generator.js';
import { SecretBox } from '../common/secret-box.js';
import type { ActionCallEntity } from '../database/entities/action-call.entity.js';
import type { ActionTargetEntity, ActionTargetType } from '../database/entities/action-target.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { ActionCallsRepository } from './action-calls.repository.js';
import { eventBody, executionIdsFor, type RecordedEvent } from './action-events.js';
import { ActionsRepository } from './actions.repository.js';

interface Routing {
  version: string;
  /** Execution ID → the targets it calls, in order. */
  executions: Map<string, string[]>;
  targets: Map<string, ActionTargetType>;
}

/**
 * Where recorded events meet executions: called by the user aggregate in the transaction that
 * appends events, it writes one call per target an execution names for the event, in that same
 * transaction — an event and its calls commit together or not at all. The executions are cached
 * per process and re-read when the version row says they changed (one indexed read per write).
 * The delivery worker (ActionDeliveryModule) claims and settles the calls here as well.
 */
@Injectable()
export class ActionQueue {
  private routing: Routing | null = null;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly repo: ActionsRepository,
    private readonly calls: ActionCallsRepository,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly box: SecretBox,
  ) {}

  /** Enqueues the calls for `events` inside `em`'s transaction; returns how many. */
  async enqueue(em: EntityManager, events: readonly RecordedEvent[]): Promise<number> {
    const routing = await this.current(em);
    if (routing.executions.size === 0) return 0;
    let n = 0;
    for (const e of events) {
      const targets = this.targetsFor(routing, e.type);
      if (targets.length === 0) continue;
      const sealed = this.box.encrypt(eventBody(e));
      for (const targetId of targets) {
        await this.calls.insert(em, {
          id: this.ids.next(),
          targetId,
          ordered: routing.targets.get(targetId) !== 'restAsync',
          eventType: e.type,
          aggregateId: e.aggregateId,
          payload: sealed,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: e.createdAt,
          lockedUntil: null,
          lastError: null,
          createdAt: e.createdAt,
          sentAt: null,
        });
        n++;
      }
    }
    if (n > 0) this.uow.afterCommit(em, () => this.wake());
    return n;
  }

  /** The targets of every execution the event type triggers, each once, in execution order. */
  private targetsFor(routing: Routing, type: string): string[] {
    const out: string[] = [];
    for (const id of executionIdsFor(type)) {
      for (const t of routing.executions.get(id) ?? []) if (routing.targets.has(t) && !out.includes(t)) out.push(t);
    }
    return out;
  }

  private async current(em: EntityManager): Promise<Routing> {
    const version = await this.repo.version(em);
    if (this.routing?.version === version) return this.routing;
    const [executions, targets] = await Promise.all([this.repo.listExecutions(em), this.repo.listTargets(em)]);
    this.routing = {
      version,
      executions: new Map(executions.map((e) => [e.id, JSON.parse(e.targets) as string[]])),
      targets: new Map(targets.map((t) => [t.id, t.targetType])),
    };
    return this.routing;
  }

  /** The worker's next batch: up to `limit` due calls, leased to it until `leaseUntil` (see ActionCallsRepository.claimDue). */
  claimDue(em: EntityManager, now: number, leaseUntil: number, limit: number): Promise<ActionCallEntity[]> {
    return this.calls.claimDue(em, now, leaseUntil, limit);
  }

  /** A call its target answered with 2xx: its payload goes. */
  markSent(em: EntityManager, id: string, at: Date): Promise<void> {
    return this.calls.markSent(em, id, at);
  }

  /** A failed attempt, to retry at `next` or dead. */
  markFailed(em: EntityManager, id: string, status: 'retrying' | 'dead', next: Date, error: string): Promise<void> {
    return this.calls.markFailed(em, id, status, next, error);
  }

  /** The target a call goes to, as stored (its signing key sealed); null once it is deleted. */
  target(id: string): Promise<ActionTargetEntity | null> {
    return this.repo.findTarget(null, id);
  }

  /** Wakes the workers of this process (after a commit that enqueued calls, or a requeue). */
  wake(): void {
    for (const l of this.listeners) l();
  }

  onWake(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
