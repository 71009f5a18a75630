import { toJson, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import {
  ActionService,
  CreateTargetRequestSchema,
  ListExecutionsRequestSchema,
  ListTargetsRequestSchema,
  SetExecutionRequestSchema,
  UpdateTargetRequestSchema,
} from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import type { TargetSchema } from '@zitadel/proto/zitadel/action/v2beta/target_pb.js';
import type { ExecutionSchema } from '@zitadel/proto/zitadel/action/v2beta/execution_pb.js';
import { AccessService } from '../auth/access.service.js';
import { type InputChecks, validateInput } from '../common/request/validation.js';
import {
  CreateTargetInput,
  durationMs,
  ListExecutionsInput,
  ListTargetsInput,
  SetExecutionInput,
  TargetIdInput,
  UpdateTargetInput,
} from '../actions/actions.inputs.js';
import {
  createTargetFromRest,
  listExecutionsFromRest,
  listTargetsFromRest,
  setExecutionFromRest,
  updateTargetFromRest,
} from '../actions/actions.rest.js';
import { actionAdmin } from '../actions/actions.controller.js';
import { ActionsService } from '../actions/actions.service.js';
import type { ExecutionView, Page, TargetView } from '../actions/actions.views.js';
import { callerOf } from './interceptors.js';

type Impl = Partial<ServiceImpl<typeof ActionService>>;

const asJson = <D extends DescMessage>(schema: D, req: MessageShape<D>) => toJson(schema, req);
const ts = (d: Date | undefined) => (d ? timestampFromDate(d) : undefined);

const target = (t: TargetView): MessageInitShape<typeof TargetSchema> => ({
  id: t.id,
  name: t.name,
  creationDate: ts(t.creationDate),
  changeDate: ts(t.changeDate),
  endpoint: t.endpoint,
  timeout: durationFromMs(durationMs(t.timeout)!),
  targetType:
    t.targetType === 'restAsync'
      ? { case: 'restAsync', value: {} }
      : { case: t.targetType, value: { interruptOnError: t.interruptOnError } },
});

const execution = (e: ExecutionView): MessageInitShape<typeof ExecutionSchema> => ({
  condition: {
    conditionType: {
      case: 'event',
      value: {
        condition:
          'event' in e.condition
            ? { case: 'event', value: e.condition.event }
            : 'group' in e.condition
              ? { case: 'group', value: e.condition.group }
              : { case: 'all', value: true },
      },
    },
  },
  targets: e.targets,
  creationDate: ts(e.creationDate),
  changeDate: ts(e.changeDate),
});

const pagination = (p: Page<unknown>) => ({ totalResult: BigInt(p.totalResult), appliedLimit: BigInt(p.appliedLimit) });

/**
 * zitadel.action.v2beta.ActionService over Connect, gRPC and gRPC-web: the message's JSON form
 * goes through the REST converters, the same input class and checks, the same access rule
 * (IAM_OWNER) and the same service as REST and GraphQL. Other methods answer Unimplemented.
 */
export class ActionServiceConnect {
  constructor(
    private readonly access: AccessService,
    private readonly actions: ActionsService,
    private readonly checks: InputChecks,
  ) {}

  private async admin(ctx: HandlerContext): Promise<void> {
    await this.access.check(callerOf(ctx), actionAdmin());
  }

  readonly implementation: Impl = {
    createTarget: async (req, ctx) => {
      const input = validateInput(CreateTargetInput, createTargetFromRest({}, asJson(CreateTargetRequestSchema, req)), this.checks);
      await this.admin(ctx);
      const r = await this.actions.createTarget(input);
      return { id: r.id, creationDate: ts(r.creationDate), signingKey: r.signingKey };
    },

    updateTarget: async (req, ctx) => {
      const plain = updateTargetFromRest({ id: req.id }, asJson(UpdateTargetRequestSchema, req));
      const input = validateInput(UpdateTargetInput, plain, this.checks);
      await this.admin(ctx);
      const r = await this.actions.updateTarget(input);
      return { changeDate: ts(r.changeDate), signingKey: r.signingKey };
    },

    deleteTarget: async (req, ctx) => {
      const input = validateInput(TargetIdInput, { id: req.id }, this.checks);
      await this.admin(ctx);
      return { deletionDate: ts((await this.actions.deleteTarget(input.id)).deletionDate) };
    },

    getTarget: async (req, ctx) => {
      const input = validateInput(TargetIdInput, { id: req.id }, this.checks);
      await this.admin(ctx);
      return { target: target(await this.actions.getTarget(input.id)) };
    },

    listTargets: async (req, ctx) => {
      const input = validateInput(ListTargetsInput, listTargetsFromRest({}, asJson(ListTargetsRequestSchema, req)), this.checks);
      await this.admin(ctx);
      const p = await this.actions.listTargets(input);
      return { pagination: pagination(p), targets: p.items.map(target) };
    },

    setExecution: async (req, ctx) => {
      const input = validateInput(SetExecutionInput, setExecutionFromRest({}, asJson(SetExecutionRequestSchema, req)), this.checks);
      await this.admin(ctx);
      return { setDate: ts((await this.actions.setExecution(input)).setDate) };
    },

    listExecutions: async (req, ctx) => {
      const input = validateInput(ListExecutionsInput, listExecutionsFromRest({}, asJson(ListExecutionsRequestSchema, req)), this.checks);
      await this.admin(ctx);
      const p = await this.actions.listExecutions(input);
      return { pagination: pagination(p), executions: p.items.map(execution) };
    },
  };
}
