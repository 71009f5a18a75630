import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import {
  CreateTarget,
  DeleteTarget,
  GetTarget,
  ListActionDeliveries,
  ListExecutionConditions,
  ListExecutions,
  ListTargets,
  RequeueActionDelivery,
  SetExecution,
  UpdateTarget,
} from './actions.operations.js';
import { executionJson, paginationJson, targetJson } from './actions.views.js';

const iso = (d: Date | undefined) => d?.toISOString();
type AnyCall = Call<any>;

/** ZITADEL's ActionService v2beta REST routes (paths and bodies from its proto annotations). */
@Controller('v2beta/actions')
export class ActionsController {
  constructor(private readonly pipeline: Pipeline) {}

  @Post('targets')
  @HttpCode(200)
  @Op(CreateTarget)
  async createTarget(@CallOf() call: AnyCall) {
    const r = await this.pipeline.execute(CreateTarget, call);
    return { id: r.id, creationDate: iso(r.creationDate), signingKey: r.signingKey };
  }

  @Post('targets/search')
  @HttpCode(200)
  @Op(ListTargets)
  async listTargets(@CallOf() call: AnyCall) {
    const p = await this.pipeline.execute(ListTargets, call);
    return { pagination: paginationJson(p), targets: p.items.map(targetJson) };
  }

  @Post('targets/:id')
  @HttpCode(200)
  @Op(UpdateTarget)
  async updateTarget(@CallOf() call: AnyCall) {
    const r = await this.pipeline.execute(UpdateTarget, call);
    return { changeDate: iso(r.changeDate), ...(r.signingKey ? { signingKey: r.signingKey } : {}) };
  }

  @Delete('targets/:id')
  @Op(DeleteTarget)
  async deleteTarget(@CallOf() call: AnyCall) {
    const r = await this.pipeline.execute(DeleteTarget, call);
    return r.deletionDate ? { deletionDate: iso(r.deletionDate) } : {};
  }

  @Get('targets/:id')
  @Op(GetTarget)
  async getTarget(@CallOf() call: AnyCall) {
    return { target: targetJson(await this.pipeline.execute(GetTarget, call)) };
  }

  @Put('executions')
  @Op(SetExecution)
  async setExecution(@CallOf() call: AnyCall) {
    return { setDate: iso((await this.pipeline.execute(SetExecution, call)).setDate) };
  }

  @Post('executions/search')
  @HttpCode(200)
  @Op(ListExecutions)
  async listExecutions(@CallOf() call: AnyCall) {
    const p = await this.pipeline.execute(ListExecutions, call);
    return { pagination: paginationJson(p), executions: p.items.map(executionJson) };
  }

  @Get(['executions/functions', 'executions/methods', 'executions/services'])
  @Op(ListExecutionConditions)
  unimplemented(@CallOf() call: AnyCall) {
    return this.pipeline.execute(ListExecutionConditions, call);
  }
}

/** Delivery status of action calls for administrators, beside the mails' (/v2/mail/deliveries). */
@Controller('v2/actions/deliveries')
export class ActionDeliveriesController {
  constructor(private readonly pipeline: Pipeline) {}

  @Get()
  @Op(ListActionDeliveries)
  async list(@CallOf() call: AnyCall) {
    return { deliveries: await this.pipeline.execute(ListActionDeliveries, call) };
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @Op(RequeueActionDelivery)
  async requeue(@CallOf() call: AnyCall) {
    return { delivery: await this.pipeline.execute(RequeueActionDelivery, call) };
  }
}
