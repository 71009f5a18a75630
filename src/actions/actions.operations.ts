import type {
  CreateTargetRequest,
  DeleteTargetRequest,
  GetTargetRequest,
  ListExecutionsRequest,
  ListTargetsRequest,
  SetExecutionRequest,
  UpdateTargetRequest,
} from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import type { Condition } from '@zitadel/proto/zitadel/action/v2beta/execution_pb.js';
import type { AccessRule } from '../auth/access.js';
import { unimplemented } from '../common/errors/app-error.js';
import { timestampOf } from '../connect/proto.js';
import { defineOperation } from '../pipeline/operation.js';
import type { EventCondition } from './action-events.js';
import {
  ActionDeliveryIdInput,
  CreateTargetInput,
  durationMs,
  ListActionDeliveriesInput,
  ListExecutionsInput,
  ListTargetsInput,
  SetExecutionInput,
  TargetIdInput,
  UpdateTargetInput,
} from './actions.inputs.js';
import {
  createTargetFromRest,
  listDeliveriesFromRest,
  listExecutionsFromRest,
  listTargetsFromRest,
  setExecutionFromRest,
  targetIdFromRest,
  updateTargetFromRest,
} from './actions.rest.js';
import { ActionsService } from './actions.service.js';
import type { CreatedTargetView, DeletedTargetView, ExecutionView, Page, TargetView, UpdatedTargetView } from './actions.views.js';

// ZITADEL's ActionService v2beta and the action deliveries API, each operation declared once for
// REST, GraphQL and Connect/gRPC (spec §7.2, §9). All of them: IAM_OWNER (403 AUTH-AWfge otherwise).

const actionAdmin = (): AccessRule => ({ kind: 'instance', permission: 'action.admin' });
const ts = (d: Date | undefined) => (d ? timestampOf(d) : undefined);

/** A protobuf Duration → its JSON form, which the input classes validate ("10s", "1.5s"). */
const durationOf = (d: { seconds: bigint; nanos: number } | undefined): string | undefined =>
  d === undefined ? undefined : d.nanos ? `${d.seconds}.${String(d.nanos).padStart(9, '0')}s` : `${d.seconds}s`;
const durationToProto = (json: string) => {
  const ms = durationMs(json)!;
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
};

type TargetTypeOneof = CreateTargetRequest['targetType'];
const targetTypeOf = (t: TargetTypeOneof) =>
  t.case === undefined ? {} : { targetType: t.case, interruptOnError: t.case === 'restAsync' ? undefined : t.value.interruptOnError };

const paginationOf = (p: ListTargetsRequest['pagination']) =>
  p ? { offset: p.offset > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(p.offset), limit: p.limit, asc: p.asc } : {};

/** ZITADEL's Condition → the plain ConditionInput: request, response and function are kept as "unsupported". */
export function conditionFromProto(c: Condition | undefined): unknown {
  const t = c?.conditionType;
  if (!t || t.case === undefined) return {};
  if (t.case !== 'event') return { unsupported: t.case };
  const e = t.value.condition;
  return e.case === 'event' ? { event: e.value } : e.case === 'group' ? { group: e.value } : e.case === 'all' ? { all: e.value } : {};
}

const targetToProto = (t: TargetView) => ({
  id: t.id,
  name: t.name,
  creationDate: ts(t.creationDate),
  changeDate: ts(t.changeDate),
  endpoint: t.endpoint,
  timeout: durationToProto(t.timeout),
  targetType:
    t.targetType === 'restAsync'
      ? { case: 'restAsync', value: {} }
      : { case: t.targetType, value: { interruptOnError: t.interruptOnError } },
});

const conditionToProto = (c: EventCondition) => ({
  conditionType: {
    case: 'event',
    value: {
      condition:
        'event' in c ? { case: 'event', value: c.event } : 'group' in c ? { case: 'group', value: c.group } : { case: 'all', value: true },
    },
  },
});

const paginationToProto = (p: Page<unknown>) => ({ totalResult: BigInt(p.totalResult), appliedLimit: BigInt(p.appliedLimit) });

export const CreateTarget = defineOperation({
  name: 'CreateTarget',
  input: CreateTargetInput,
  limit: 'write',
  access: actionAdmin,
  fromRest: createTargetFromRest,
  connect: {
    method: 'createTarget',
    fromProto: (m: CreateTargetRequest) => ({
      name: m.name,
      endpoint: m.endpoint,
      timeout: durationOf(m.timeout),
      ...targetTypeOf(m.targetType),
    }),
    toProto: (r: CreatedTargetView) => ({ id: r.id, creationDate: ts(r.creationDate), signingKey: r.signingKey }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.createTarget(call.input),
});

export const UpdateTarget = defineOperation({
  name: 'UpdateTarget',
  input: UpdateTargetInput,
  limit: 'write',
  access: actionAdmin,
  fromRest: updateTargetFromRest,
  connect: {
    method: 'updateTarget',
    fromProto: (m: UpdateTargetRequest) => ({
      id: m.id,
      name: m.name,
      endpoint: m.endpoint,
      timeout: durationOf(m.timeout),
      expirationSigningKey: durationOf(m.expirationSigningKey),
      ...targetTypeOf(m.targetType),
    }),
    toProto: (r: UpdatedTargetView) => ({ changeDate: ts(r.changeDate), signingKey: r.signingKey }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.updateTarget(call.input),
});

export const DeleteTarget = defineOperation({
  name: 'DeleteTarget',
  input: TargetIdInput,
  limit: 'write',
  access: actionAdmin,
  fromRest: targetIdFromRest,
  fromGraphQL: (a) => ({ id: a.id }),
  connect: {
    method: 'deleteTarget',
    fromProto: (m: DeleteTargetRequest) => ({ id: m.id }),
    toProto: (r: DeletedTargetView) => ({ deletionDate: ts(r.deletionDate) }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.deleteTarget(call.input.id),
});

export const GetTarget = defineOperation({
  name: 'GetTarget',
  input: TargetIdInput,
  limit: 'read',
  access: actionAdmin,
  fromRest: targetIdFromRest,
  fromGraphQL: (a) => ({ id: a.id }),
  connect: {
    method: 'getTarget',
    fromProto: (m: GetTargetRequest) => ({ id: m.id }),
    toProto: (t: TargetView) => ({ target: targetToProto(t) }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.getTarget(call.input.id),
});

export const ListTargets = defineOperation({
  name: 'ListTargets',
  input: ListTargetsInput,
  limit: 'read',
  access: actionAdmin,
  fromRest: listTargetsFromRest,
  fromGraphQL: (a) => a.filter ?? {},
  connect: {
    method: 'listTargets',
    fromProto: (m: ListTargetsRequest) => {
      const out: Record<string, unknown> = paginationOf(m.pagination);
      for (const f of m.filters) {
        if (f.filter.case === 'targetNameFilter') out.targetName = f.filter.value.targetName;
        if (f.filter.case === 'inTargetIdsFilter') out.targetIds = f.filter.value.targetIds;
      }
      return out;
    },
    toProto: (p: Page<TargetView>) => ({ pagination: paginationToProto(p), targets: p.items.map(targetToProto) }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.listTargets(call.input),
});

export const SetExecution = defineOperation({
  name: 'SetExecution',
  input: SetExecutionInput,
  limit: 'write',
  access: actionAdmin,
  fromRest: setExecutionFromRest,
  connect: {
    method: 'setExecution',
    fromProto: (m: SetExecutionRequest) => ({ condition: conditionFromProto(m.condition), targets: m.targets }),
    toProto: (r: { setDate: Date }) => ({ setDate: ts(r.setDate) }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.setExecution(call.input),
});

export const ListExecutions = defineOperation({
  name: 'ListExecutions',
  input: ListExecutionsInput,
  limit: 'read',
  access: actionAdmin,
  fromRest: listExecutionsFromRest,
  fromGraphQL: (a) => a.filter ?? {},
  connect: {
    method: 'listExecutions',
    fromProto: (m: ListExecutionsRequest) => {
      const out: Record<string, unknown> = paginationOf(m.pagination);
      for (const f of m.filters) if (f.filter.case === 'targetFilter') out.targetId = f.filter.value.targetId;
      return out;
    },
    toProto: (p: Page<ExecutionView>) => ({
      pagination: paginationToProto(p),
      executions: p.items.map((e) => ({
        condition: conditionToProto(e.condition),
        targets: e.targets,
        creationDate: ts(e.creationDate),
        changeDate: ts(e.changeDate),
      })),
    }),
  },
  service: ActionsService,
  execute: (actions, call) => actions.listExecutions(call.input),
});

/** ListExecutionFunctions, -Methods, -Services (REST): the conditions this service does not keep. */
export const ListExecutionConditions = defineOperation({
  name: 'ListExecutionConditions',
  input: ListExecutionsInput,
  limit: 'read',
  access: actionAdmin,
  fromRest: () => ({}),
  service: ActionsService,
  execute: (): Promise<unknown> => Promise.reject(unimplemented('ACTION-n0tImp', 'Only event executions are supported by this service')),
});

export const ListActionDeliveries = defineOperation({
  name: 'ListActionDeliveries',
  input: ListActionDeliveriesInput,
  limit: 'read',
  access: actionAdmin,
  fromRest: listDeliveriesFromRest,
  fromGraphQL: (a) => a.filter ?? {},
  service: ActionsService,
  execute: (actions, call) => actions.deliveries(call.input),
});

export const RequeueActionDelivery = defineOperation({
  name: 'RequeueActionDelivery',
  input: ActionDeliveryIdInput,
  limit: 'write',
  access: actionAdmin,
  fromRest: (p) => ({ id: p.id }),
  fromGraphQL: (a) => ({ id: a.id }),
  service: ActionsService,
  execute: (actions, call) => actions.requeue(call.input.id),
});

/** The operations served over Connect, gRPC-web and gRPC (zitadel.action.v2beta.ActionService). */
export const ACTION_SERVICE_CONNECT = [CreateTarget, UpdateTarget, DeleteTarget, GetTarget, ListTargets, SetExecution, ListExecutions];
