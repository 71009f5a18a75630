import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IdGenerator } from '../common/id-generator.js';
import { SecretBox } from '../common/secret-box.js';
import type { ActionCallEntity } from '../database/entities/action-call.entity.js';
import type { ActionTargetEntity, ActionTargetType } from '../database/entities/action-target.entity.js';
import { Dialect } from '../database/dialect.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { ActionCallsRepository } from './action-calls.repository.js';
import { eventBody, executionIdsFor, type RecordedEvent } from './action-events.js';
import { ActionsRepository } from './actions.repository.js';

interface Routing {
  version: string;
  /** Execution ID → the targets it calls, in order. */
  executions: Map<string, string[]>;
  targets: Map<string, ActionTargetType>;
  /** Event type → its targets and whether each is ordered (targetsFor), filled as types are seen. */
  byType: Map<string, TypeTargets>;
}

/** The targets an event type calls, in order, and for each whether it gets its calls one at a time (restCall, restWebhook). */
interface TypeTargets {
  targets: string[];
  ordered: boolean[];
}

/**
 * An enqueued change's calls (action_fanout.calls): per event, its sequence, type, targets and
 * their ordered flags — taken from the routing that chose the targets, so a fan-out on another
 * process, whose cache may not know a target yet, writes the flags the enqueuer saw.
 */
type Plan = [sequence: number, eventType: string, targets: string[], ordered: boolean[]][];

/** The channel on which a change to targets or executions is announced (PostgreSQL). */
const ROUTING_CHANNEL = 'action_routing';
/**
 * While listening, the version row is still read once in this long: a bound on a stale routing
 * when notifications stop without the connection failing (a connection pooler in transaction
 * mode, an older instance that changes executions without announcing them).
 */
const TRUST_NOTIFICATIONS_MS = 5_000;

/**
 * Where recorded events meet executions: called by the user aggregate in the transaction that
 * appends events, it enqueues the change's calls (one per event and target an execution names
 * for it) in that same transaction — an event and its calls commit together or not at all — as
 * one row of action_fanout: a change pays for one small row, not a row and three index entries
 * per call. The delivery worker (ActionDeliveryModule) fans the rows out into action_calls, in
 * their order and in a transaction of its own (fanOut), and claims and settles the calls here.
 *
 * The executions are cached per process. On SQLite the version row is read in every transaction
 * that appends events (an in-process read of one row). On PostgreSQL that read would be another
 * round trip on every change, so each process LISTENs on `action_routing`, which every change to
 * targets or executions NOTIFYs in its transaction: the cache is dropped when a change commits,
 * on the process that made it at once and on the others as soon as the notification arrives
 * (milliseconds on a local network: that long, another process may still route an event with the
 * executions from before the change, where the version read saw every committed change). The
 * version row is still read once in TRUST_NOTIFICATIONS_MS, and in every transaction while the
 * listening connection is down, until it is back.
 */
@Injectable()
export class ActionQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ActionQueue');
  private routing: Routing | null = null;
  private listeners: (() => void)[] = [];
  /** PostgreSQL: whether every change to the routing will reach this process as a notification. */
  private listening = false;
  /** Moves at each announced change: a load that began before one is not cached. */
  private generation = 0;
  /** When the version row was last read (Date.now()). */
  private checkedAt = 0;
  private listener: { close(): Promise<void> } | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retries = 0;
  private closed = false;

  constructor(
    private readonly repo: ActionsRepository,
    private readonly calls: ActionCallsRepository,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly box: SecretBox,
    private readonly dialect: Dialect,
  ) {}

  /** PostgreSQL: whether this process is listening for routing changes now (else it reads the version row). */
  get listeningForChanges(): boolean {
    return this.listening;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.dialect.postgres) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.listening = false;
    await this.listener?.close();
    this.listener = null;
  }

  private async listen(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    try {
      const listener = await this.dialect.pgListen(
        ROUTING_CHANNEL,
        () => this.dropRouting(),
        (e) => {
          if (this.listener !== listener) return;
          this.listener = null;
          this.listening = false;
          if (this.closed) return;
          this.logger.warn(
            `the connection listening for action routing changes was lost (${e?.message ?? 'ended'}); reading the version row until it is back`,
          );
          this.scheduleListen();
        },
      );
      if (this.closed) return void (await listener.close());
      this.listener = listener;
      // a change committed before LISTEN took effect was not announced: load afresh
      this.dropRouting();
      this.listening = true;
      if (this.retries > 0) this.logger.log('listening for action routing changes again');
      this.retries = 0;
    } catch (e) {
      this.logger.warn(`cannot listen for action routing changes (${(e as Error).message}); reading the version row meanwhile`);
      this.scheduleListen();
    }
  }

  private scheduleListen(): void {
    const delay = Math.min(30_000, 500 * 2 ** this.retries++);
    this.retry = setTimeout(() => void this.listen(), delay);
    this.retry.unref();
  }

  private dropRouting(): void {
    this.generation++;
    this.routing = null;
  }

  /**
   * Every change to targets or executions, in its transaction: moves the version row, announces
   * the change to every process (PostgreSQL; sent when the transaction commits) and drops this
   * process's cache once it has committed.
   */
  async routingChanged(em: EntityManager): Promise<void> {
    await this.repo.bump(em);
    if (this.dialect.postgres) await this.repo.announce(em, ROUTING_CHANNEL);
    this.uow.afterCommit(em, () => this.dropRouting());
  }

  /**
   * Enqueues the calls for `events` (one change's) inside `em`'s transaction, as one row however
   * many events and targets (the worker fans it out: fanOut); returns how many calls.
   */
  async enqueue(em: EntityManager, events: readonly RecordedEvent[]): Promise<number> {
    const routing = await this.current(em);
    if (routing.executions.size === 0) return 0;
    const plan: Plan = [];
    let n = 0;
    for (const e of events) {
      const { targets, ordered } = this.targetsFor(routing, e.type);
      if (targets.length === 0) continue;
      plan.push([e.sequence, e.type, targets, ordered]);
      n += targets.length;
    }
    if (n === 0) return 0;
    await this.calls.enqueue(em, events[0]!.aggregateId, JSON.stringify(plan), n, events[0]!.createdAt);
    this.uow.afterCommit(em, () => this.wake());
    return n;
  }

  /**
   * Fans out up to `limit` enqueued changes, oldest first, into their calls (one per event and
   * target, each with its delivery ID, after every call there is), in `em`'s transaction, which
   * also deletes the rows: a row is fanned out once, and not lost if the transaction is.
   * Returns how many rows.
   */
  async fanOut(em: EntityManager, limit: number): Promise<number> {
    const rows = await this.calls.toFanOut(em, limit);
    if (rows.length === 0) return 0;
    // IDs order the calls of an ordered target: above those another process wrote
    const last = await this.calls.lastCallId(em);
    if (last) this.ids.after(last);
    const calls: ActionCallEntity[] = [];
    for (const row of rows) {
      for (const [sequence, eventType, targets, ordered] of JSON.parse(row.calls) as Plan) {
        for (const [i, targetId] of targets.entries()) {
          calls.push({
            id: this.ids.next(),
            // a target deleted since gets its call all the same: the worker records it dead, as it
            // does a call whose target goes later
            targetId,
            ordered: ordered[i] === true,
            eventType,
            aggregateId: row.aggregateId,
            // the body is built from the event at delivery: nothing to seal and store here
            eventSequence: sequence,
            payload: null,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: row.createdAt,
            lockedUntil: null,
            lastError: null,
            createdAt: row.createdAt,
            sentAt: null,
          });
        }
      }
    }
    await this.calls.insert(em, calls);
    await this.calls.fannedOut(
      em,
      rows.map((r) => r.id),
    );
    return rows.length;
  }

  /** The targets of every execution the event type triggers, each once, in execution order (worked out once per type and routing). */
  private targetsFor(routing: Routing, type: string): TypeTargets {
    let out = routing.byType.get(type);
    if (out) return out;
    const targets: string[] = [];
    for (const id of executionIdsFor(type)) {
      for (const t of routing.executions.get(id) ?? []) if (routing.targets.has(t) && !targets.includes(t)) targets.push(t);
    }
    out = { targets, ordered: targets.map((t) => routing.targets.get(t) !== 'restAsync') };
    routing.byType.set(type, out);
    return out;
  }

  /** Whether a change's calls wait to be fanned out (a read outside any transaction: the worker's poll). */
  hasQueuedChanges(): Promise<boolean> {
    return this.calls.anyQueued();
  }

  private async current(em: EntityManager): Promise<Routing> {
    const now = Date.now();
    if (this.listening && this.routing && now - this.checkedAt < TRUST_NOTIFICATIONS_MS) return this.routing;
    const generation = this.generation;
    const version = await this.repo.version(em);
    this.checkedAt = now;
    if (this.routing?.version === version) return this.routing;
    const [executions, targets] = await Promise.all([this.repo.listExecutions(em), this.repo.listTargets(em)]);
    const routing: Routing = {
      version,
      executions: new Map(executions.map((e) => [e.id, JSON.parse(e.targets) as string[]])),
      targets: new Map(targets.map((t) => [t.id, t.targetType])),
      byType: new Map(),
    };
    // a change announced meanwhile may not be in what was read: use it this once, keep nothing
    if (this.generation === generation) this.routing = routing;
    return routing;
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

  /**
   * The request body of a call: ZITADEL's event body built from the event it names, or, for a
   * call written before calls named their event, its sealed body. Null when the event is gone.
   */
  async body(call: ActionCallEntity): Promise<string | null> {
    if (call.eventSequence == null) return call.payload ? this.box.decrypt(call.payload) : null;
    const e = await this.calls.event(call.aggregateId, call.eventSequence);
    return (
      e &&
      eventBody({
        aggregateId: e.userId,
        resourceOwner: e.resourceOwner,
        sequence: e.sequence,
        type: e.type,
        createdAt: e.createdAt,
        creator: e.creator,
        payload: e.payload as Record<string, unknown> | null,
      })
    );
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
