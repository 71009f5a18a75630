import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import {
  CreateTargetInput,
  ListActionDeliveriesInput,
  ListExecutionsInput,
  ListTargetsInput,
  SetExecutionInput,
  UpdateTargetInput,
} from './actions.inputs.js';
import {
  CreateTarget,
  DeleteTarget,
  GetTarget,
  ListActionDeliveries,
  ListExecutions,
  ListTargets,
  RequeueActionDelivery,
  SetExecution,
  UpdateTarget,
} from './actions.operations.js';
import {
  ActionDeliveryView,
  CreatedTargetView,
  DeletedTargetView,
  ExecutionView,
  SetExecutionView,
  TargetView,
  UpdatedTargetView,
} from './actions.views.js';

type AnyCall = Call<any>;

/** The ActionService operations of ActionsController, over GraphQL: the same operations through the same pipeline. */
@Resolver(() => TargetView)
export class ActionsResolver {
  constructor(private readonly pipeline: Pipeline) {}

  @Mutation(() => CreatedTargetView, { description: 'CreateTarget: the signing key is shown here only' })
  @Op(CreateTarget)
  createActionTarget(@CallOf() call: AnyCall, @Args('input', { type: () => CreateTargetInput }) _input: CreateTargetInput) {
    return this.pipeline.execute(CreateTarget, call);
  }

  @Mutation(() => UpdatedTargetView, { description: 'UpdateTarget' })
  @Op(UpdateTarget)
  updateActionTarget(@CallOf() call: AnyCall, @Args('input', { type: () => UpdateTargetInput }) _input: UpdateTargetInput) {
    return this.pipeline.execute(UpdateTarget, call);
  }

  @Mutation(() => DeletedTargetView, { description: 'DeleteTarget' })
  @Op(DeleteTarget)
  deleteActionTarget(@CallOf() call: AnyCall, @Args('id', { type: () => ID }) _id: string) {
    return this.pipeline.execute(DeleteTarget, call);
  }

  @Query(() => TargetView, { description: 'GetTarget (no signing key)' })
  @Op(GetTarget)
  actionTarget(@CallOf() call: AnyCall, @Args('id', { type: () => ID }) _id: string) {
    return this.pipeline.execute(GetTarget, call);
  }

  @Query(() => [TargetView], { description: 'ListTargets (no signing keys)' })
  @Op(ListTargets)
  async actionTargets(
    @CallOf() call: AnyCall,
    @Args('filter', { type: () => ListTargetsInput, nullable: true }) _filter?: ListTargetsInput,
  ): Promise<TargetView[]> {
    return (await this.pipeline.execute(ListTargets, call)).items;
  }

  @Mutation(() => SetExecutionView, { description: 'SetExecution (event conditions; an empty target list removes it)' })
  @Op(SetExecution)
  setActionExecution(@CallOf() call: AnyCall, @Args('input', { type: () => SetExecutionInput }) _input: SetExecutionInput) {
    return this.pipeline.execute(SetExecution, call);
  }

  @Query(() => [ExecutionView], { description: 'ListExecutions' })
  @Op(ListExecutions)
  async actionExecutions(
    @CallOf() call: AnyCall,
    @Args('filter', { type: () => ListExecutionsInput, nullable: true }) _filter?: ListExecutionsInput,
  ): Promise<ExecutionView[]> {
    return (await this.pipeline.execute(ListExecutions, call)).items;
  }

  @Query(() => [ActionDeliveryView], { description: 'Action calls by state and target, newest first (IAM_OWNER)' })
  @Op(ListActionDeliveries)
  actionDeliveries(
    @CallOf() call: AnyCall,
    @Args('filter', { type: () => ListActionDeliveriesInput, nullable: true }) _filter?: ListActionDeliveriesInput,
  ): Promise<ActionDeliveryView[]> {
    return this.pipeline.execute(ListActionDeliveries, call);
  }

  @Mutation(() => ActionDeliveryView, { description: 'Requeue a dead action call, same delivery ID (IAM_OWNER)' })
  @Op(RequeueActionDelivery)
  requeueActionDelivery(@CallOf() call: AnyCall, @Args('id', { type: () => ID }) _id: string) {
    return this.pipeline.execute(RequeueActionDelivery, call);
  }
}
