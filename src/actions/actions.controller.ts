import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { unimplemented } from '../common/errors/app-error.js';
import { Input, Operation } from '../common/request/operation.js';
import {
  ActionDeliveryIdInput,
  CreateTargetInput,
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
import { executionJson, paginationJson, targetJson } from './actions.views.js';

/** IAM_OWNER only (spec §3, §9): 403 AUTH-AWfge for anyone else. */
export const actionAdmin = () => ({ instance: 'action.admin' as const });
const iso = (d: Date | undefined) => d?.toISOString();

/** ZITADEL's ActionService v2beta REST routes (paths and bodies from its proto annotations). */
@Controller('v2beta/actions')
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  @Post('targets')
  @HttpCode(200)
  @Operation({ input: CreateTargetInput, fromRest: createTargetFromRest, access: actionAdmin })
  async createTarget(@Input() input: CreateTargetInput) {
    const r = await this.actions.createTarget(input);
    return { id: r.id, creationDate: iso(r.creationDate), signingKey: r.signingKey };
  }

  @Post('targets/search')
  @HttpCode(200)
  @Operation({ input: ListTargetsInput, fromRest: listTargetsFromRest, access: actionAdmin })
  async listTargets(@Input() input: ListTargetsInput) {
    const p = await this.actions.listTargets(input);
    return { pagination: paginationJson(p), targets: p.items.map(targetJson) };
  }

  @Post('targets/:id')
  @HttpCode(200)
  @Operation({ input: UpdateTargetInput, fromRest: updateTargetFromRest, access: actionAdmin })
  async updateTarget(@Input() input: UpdateTargetInput) {
    const r = await this.actions.updateTarget(input);
    return { changeDate: iso(r.changeDate), ...(r.signingKey ? { signingKey: r.signingKey } : {}) };
  }

  @Delete('targets/:id')
  @Operation({ input: TargetIdInput, fromRest: targetIdFromRest, access: actionAdmin })
  async deleteTarget(@Input() input: TargetIdInput) {
    const r = await this.actions.deleteTarget(input.id);
    return r.deletionDate ? { deletionDate: iso(r.deletionDate) } : {};
  }

  @Get('targets/:id')
  @Operation({ input: TargetIdInput, fromRest: targetIdFromRest, access: actionAdmin })
  async getTarget(@Input() input: TargetIdInput) {
    return { target: targetJson(await this.actions.getTarget(input.id)) };
  }

  @Put('executions')
  @Operation({ input: SetExecutionInput, fromRest: setExecutionFromRest, access: actionAdmin })
  async setExecution(@Input() input: SetExecutionInput) {
    return { setDate: iso((await this.actions.setExecution(input)).setDate) };
  }

  @Post('executions/search')
  @HttpCode(200)
  @Operation({ input: ListExecutionsInput, fromRest: listExecutionsFromRest, access: actionAdmin })
  async listExecutions(@Input() input: ListExecutionsInput) {
    const p = await this.actions.listExecutions(input);
    return { pagination: paginationJson(p), executions: p.items.map(executionJson) };
  }

  /** ListExecutionFunctions, ListExecutionMethods, ListExecutionServices: the conditions this service does not keep. */
  @Get(['executions/functions', 'executions/methods', 'executions/services'])
  @Operation({ access: actionAdmin })
  unimplemented(): never {
    throw unimplemented('ACTION-n0tImp', 'Only event executions are supported by this service');
  }
}

/** Delivery status of action calls for administrators, beside the mails' (/v2/mail/deliveries). */
@Controller('v2/actions/deliveries')
export class ActionDeliveriesController {
  constructor(private readonly actions: ActionsService) {}

  @Get()
  @Operation({ input: ListActionDeliveriesInput, fromRest: listDeliveriesFromRest, access: actionAdmin })
  async list(@Input() input: ListActionDeliveriesInput) {
    return { deliveries: await this.actions.deliveries(input) };
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @Operation({ input: ActionDeliveryIdInput, fromRest: (p) => ({ id: p.id }), access: actionAdmin })
  async requeue(@Input() input: ActionDeliveryIdInput) {
    return { delivery: await this.actions.requeue(input.id) };
  }
}
