import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, unimplemented } from '../common/errors/app-error.js';
import { IdGenerator } from '../common/id-generator.js';
import { SecretBox } from '../common/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { ActionCallEntity } from '../database/entities/action-call.entity.js';
import type { ActionTargetEntity } from '../database/entities/action-target.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { ActionCallsRepository } from './action-calls.repository.js';
import { conditionOf, executionId, isKnownEvent, isKnownGroup, type EventCondition } from './action-events.js';
import { ActionQueue } from './action-queue.js';
import { ActionsRepository } from './actions.repository.js';
import {
  ConditionInput,
  CreateTargetInput,
  durationJson,
  ListActionDeliveriesInput,
  ListExecutionsInput,
  ListTargetsInput,
  SetExecutionInput,
  UpdateTargetInput,
} from './actions.inputs.js';
import type {
  ActionDeliveryView,
  CreatedTargetView,
  DeletedTargetView,
  ExecutionView,
  Page,
  TargetView,
  UpdatedTargetView,
} from './actions.views.js';
import { EndpointRefused, parseEndpoint, resolveEndpoint } from './ssrf.js';

const DEFAULT_LIMIT = 100;

export const ActionErrors = {
  targetNotFound: () => notFound('ACTION-tGt404', 'Target not found'),
  targetExists: () => alreadyExists('ACTION-tGt409', 'Target already exists'),
  targetMissing: () => notFound('ACTION-tGtMis', 'Target of the execution not found'),
  conditionInvalid: () => invalidArgument('COMMAND-hdm4zl1hmd', 'Execution condition is invalid: give exactly one of event, group or all'),
  eventUnknown: () => notFound('COMMAND-74aaqj8fv9', 'Execution condition is invalid: no such event'),
  groupUnknown: () => notFound('COMMAND-er5oneb5lz', 'Execution condition is invalid: no such event group'),
  notEvent: (kind: string) =>
    unimplemented('ACTION-n0tEvt', `Executions on ${kind} conditions are not supported by this service; only event conditions are`),
  endpoint: (why: string) => invalidArgument('ACTION-ssrf01', `Target endpoint refused: ${why}`),
  deliveryNotFound: () => notFound('ACTION-dlv404', 'Action delivery not found'),
  notDead: () => failedPrecondition('ACTION-dlvNdd', 'Only a dead delivery can be requeued'),
};

/** A signing key like ZITADEL's: random, shown once. */
const newSigningKey = () => randomBytes(24).toString('base64url');

function targetView(t: ActionTargetEntity): TargetView {
  return {
    id: t.id,
    name: t.name,
    targetType: t.targetType,
    interruptOnError: t.interruptOnError,
    timeout: durationJson(t.timeoutMs),
    endpoint: t.endpoint,
    creationDate: t.createdAt,
    changeDate: t.changedAt,
  };
}

export function deliveryView(c: ActionCallEntity): ActionDeliveryView {
  const due = c.status === 'pending' || c.status === 'retrying';
  return {
    id: c.id,
    targetId: c.targetId,
    eventType: c.eventType,
    aggregateId: c.aggregateId,
    state: c.status,
    attempts: c.attempts,
    lastError: c.lastError,
    createdAt: c.createdAt,
    nextAttemptAt: due ? c.nextAttemptAt : null,
    sentAt: c.sentAt,
  };
}

function page<T>(all: T[], input: { offset?: number; limit?: number; asc?: boolean }): Page<T> {
  const ordered = input.asc === false ? [...all].reverse() : all;
  const limit = input.limit || DEFAULT_LIMIT;
  const offset = input.offset ?? 0;
  return { totalResult: all.length, appliedLimit: limit, items: ordered.slice(offset, offset + limit) };
}

/** Changes fanned out per transaction before a listing of the calls, and at most this many transactions. */
const FANOUT_PER_LIST = 500;
const FANOUT_LIST_ROUNDS = 20;

/**
 * ZITADEL's ActionService v2beta, limited to event executions (spec §9): targets with a signing
 * key shown once, executions naming the targets an event condition calls. Every change goes
 * through ActionQueue.routingChanged, so every process routes the next event with it.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: ActionsRepository,
    private readonly calls: ActionCallsRepository,
    private readonly queue: ActionQueue,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** http(s) only, and no host that resolves to a refused address (checked again at each call). */
  private async checkEndpoint(endpoint: string): Promise<void> {
    try {
      await resolveEndpoint(parseEndpoint(endpoint), this.config.actions.allowPrivateNetworks);
    } catch (e) {
      if (e instanceof EndpointRefused) throw ActionErrors.endpoint(e.message);
      // a host that does not resolve yet is accepted; the delivery checks it again
    }
  }

  async createTarget(input: CreateTargetInput): Promise<CreatedTargetView> {
    await this.checkEndpoint(input.endpoint);
    const signingKey = newSigningKey();
    return this.uow.run(async (em) => {
      if (await this.repo.nameTaken(em, input.name)) throw ActionErrors.targetExists();
      const now = this.clock.now();
      const id = this.ids.next();
      await this.repo.insertTarget(em, {
        id,
        name: input.name,
        targetType: input.targetType!,
        interruptOnError: input.targetType !== 'restAsync' && input.interruptOnError === true,
        endpoint: input.endpoint,
        timeoutMs: input.timeoutMs,
        signingKey: this.box.encrypt(signingKey),
        createdAt: now,
        changedAt: now,
      });
      await this.queue.routingChanged(em);
      return { id, creationDate: now, signingKey };
    });
  }

  async updateTarget(input: UpdateTargetInput): Promise<UpdatedTargetView> {
    if (input.endpoint !== undefined) await this.checkEndpoint(input.endpoint);
    const rotated = input.expirationSigningKey !== undefined ? newSigningKey() : undefined;
    return this.uow.run(async (em) => {
      const t = await this.repo.findTarget(em, input.id);
      if (!t) throw ActionErrors.targetNotFound();
      if (input.name !== undefined && input.name !== t.name && (await this.repo.nameTaken(em, input.name, t.id)))
        throw ActionErrors.targetExists();
      const targetType = input.targetType ?? t.targetType;
      const next: ActionTargetEntity = {
        ...t,
        name: input.name ?? t.name,
        targetType,
        interruptOnError:
          targetType !== 'restAsync' &&
          (input.targetType ? input.interruptOnError === true : (input.interruptOnError ?? t.interruptOnError)),
        endpoint: input.endpoint ?? t.endpoint,
        timeoutMs: input.timeoutMs ?? t.timeoutMs,
        signingKey: rotated ? this.box.encrypt(rotated) : t.signingKey,
        changedAt: this.clock.now(),
      };
      await this.repo.updateTarget(em, next);
      await this.queue.routingChanged(em);
      return { changeDate: next.changedAt, signingKey: rotated };
    });
  }

  /** As ZITADEL: deleting a target that is gone succeeds without a date. Executions stop naming it. */
  async deleteTarget(id: string): Promise<DeletedTargetView> {
    return this.uow.run(async (em) => {
      if (!(await this.repo.deleteTarget(em, id))) return {};
      const now = this.clock.now();
      for (const e of await this.repo.listExecutions(em)) {
        const targets = JSON.parse(e.targets) as string[];
        if (!targets.includes(id)) continue;
        const rest = targets.filter((t) => t !== id);
        if (rest.length === 0) await this.repo.deleteExecution(em, e.id);
        else await this.repo.upsertExecution(em, { ...e, targets: JSON.stringify(rest), changedAt: now }, true);
      }
      await this.queue.routingChanged(em);
      return { deletionDate: now };
    });
  }

  async getTarget(id: string): Promise<TargetView> {
    const t = await this.repo.findTarget(null, id);
    if (!t) throw ActionErrors.targetNotFound();
    return targetView(t);
  }

  async listTargets(input: ListTargetsInput): Promise<Page<TargetView>> {
    let all = await this.repo.listTargets(null);
    if (input.targetName) all = all.filter((t) => t.name === input.targetName);
    if (input.targetIds?.length) all = all.filter((t) => input.targetIds!.includes(t.id));
    return page(all.map(targetView), input);
  }

  /** The event condition of an execution, or the errors ZITADEL gives (12 for the kinds not kept here). */
  static condition(c: ConditionInput): EventCondition {
    if (c.unsupported) throw ActionErrors.notEvent(c.unsupported);
    const given = [c.event !== undefined, c.group !== undefined, c.all === true].filter(Boolean).length;
    if (given !== 1) throw ActionErrors.conditionInvalid();
    if (c.event !== undefined) {
      if (!isKnownEvent(c.event)) throw ActionErrors.eventUnknown();
      return { event: c.event };
    }
    if (c.group !== undefined) {
      if (!isKnownGroup(c.group)) throw ActionErrors.groupUnknown();
      return { group: c.group.replace(/\.\*$/, '') };
    }
    return { all: true };
  }

  /** Sets the targets of an event condition, in call order; no targets removes the execution. */
  async setExecution(input: SetExecutionInput): Promise<{ setDate: Date }> {
    const id = executionId(ActionsService.condition(input.condition));
    const targets = [...new Set(input.targets)];
    return this.uow.run(async (em) => {
      for (const t of targets) if (!(await this.repo.findTarget(em, t))) throw ActionErrors.targetMissing();
      const now = this.clock.now();
      const existing = await this.repo.findExecution(em, id);
      if (targets.length === 0) {
        if (existing) await this.repo.deleteExecution(em, id);
      } else {
        await this.repo.upsertExecution(
          em,
          { id, targets: JSON.stringify(targets), createdAt: existing?.createdAt ?? now, changedAt: now },
          existing !== null,
        );
      }
      await this.queue.routingChanged(em);
      return { setDate: now };
    });
  }

  async listExecutions(input: ListExecutionsInput): Promise<Page<ExecutionView>> {
    const all = (await this.repo.listExecutions(null))
      .map((e) => ({
        condition: conditionOf(e.id),
        targets: JSON.parse(e.targets) as string[],
        creationDate: e.createdAt,
        changeDate: e.changedAt,
      }))
      .filter((e) => !input.targetId || e.targets.includes(input.targetId));
    return page(all, input);
  }

  /**
   * Admin view of calls, newest first (at most 500). The changes enqueued are fanned out first, so
   * their calls show — up to FANOUT_LIST_ROUNDS transactions' worth: a backlog beyond that (no
   * worker for a long while) is left to the worker rather than held in one request.
   */
  async deliveries(filter: ListActionDeliveriesInput): Promise<ActionDeliveryView[]> {
    for (let round = 0; round < FANOUT_LIST_ROUNDS; round++) {
      if ((await this.uow.run((em) => this.queue.fanOut(em, FANOUT_PER_LIST))) < FANOUT_PER_LIST) break;
    }
    return (await this.calls.list({ status: filter.state, targetId: filter.targetId }, 500)).map(deliveryView);
  }

  /** Puts a dead call back in the queue with a fresh attempt budget (same delivery ID). */
  async requeue(id: string): Promise<ActionDeliveryView> {
    const requeued = await this.uow.run((em) => this.calls.requeue(em, id, this.clock.now()));
    const row = await this.calls.find(null, id);
    if (!row) throw ActionErrors.deliveryNotFound();
    if (!requeued) throw ActionErrors.notDead();
    this.queue.wake();
    return deliveryView(row);
  }
}
