import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Input, Operation } from '../common/request/operation.js';
import { actionAdmin } from './actions.controller.js';
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
import { ActionsService } from './actions.service.js';
import {
  ActionDeliveryView,
  CreatedTargetView,
  DeletedTargetView,
  ExecutionView,
  SetExecutionView,
  TargetView,
  UpdatedTargetView,
} from './actions.views.js';

/** The ActionService operations of ActionsController, over GraphQL: same inputs, same service, IAM_OWNER only. */
@Resolver(() => TargetView)
export class ActionsResolver {
  constructor(private readonly actions: ActionsService) {}

  @Mutation(() => CreatedTargetView, { description: 'CreateTarget: the signing key is shown here only' })
  @Operation({ input: CreateTargetInput, access: actionAdmin })
  createActionTarget(@Args('input', { type: () => CreateTargetInput }) input: CreateTargetInput) {
    return this.actions.createTarget(input);
  }

  @Mutation(() => UpdatedTargetView, { description: 'UpdateTarget' })
  @Operation({ input: UpdateTargetInput, access: actionAdmin })
  updateActionTarget(@Args('input', { type: () => UpdateTargetInput }) input: UpdateTargetInput) {
    return this.actions.updateTarget(input);
  }

  @Mutation(() => DeletedTargetView, { description: 'DeleteTarget' })
  @Operation({ input: TargetIdInput, fromGraphQL: (a) => ({ id: a.id }), access: actionAdmin })
  deleteActionTarget(@Input() input: TargetIdInput, @Args('id', { type: () => ID }) _id: string) {
    return this.actions.deleteTarget(input.id);
  }

  @Query(() => TargetView, { description: 'GetTarget (no signing key)' })
  @Operation({ input: TargetIdInput, fromGraphQL: (a) => ({ id: a.id }), access: actionAdmin })
  actionTarget(@Input() input: TargetIdInput, @Args('id', { type: () => ID }) _id: string) {
    return this.actions.getTarget(input.id);
  }

  @Query(() => [TargetView], { description: 'ListTargets (no signing keys)' })
  @Operation({ input: ListTargetsInput, fromGraphQL: (a) => a.filter ?? {}, access: actionAdmin })
  async actionTargets(
    @Input() input: ListTargetsInput,
    @Args('filter', { type: () => ListTargetsInput, nullable: true }) _filter?: ListTargetsInput,
  ): Promise<TargetView[]> {
    return (await this.actions.listTargets(input)).items;
  }

  @Mutation(() => SetExecutionView, { description: 'SetExecution (event conditions; an empty target list removes it)' })
  @Operation({ input: SetExecutionInput, access: actionAdmin })
  setActionExecution(@Args('input', { type: () => SetExecutionInput }) input: SetExecutionInput) {
    return this.actions.setExecution(input);
  }

  @Query(() => [ExecutionView], { description: 'ListExecutions' })
  @Operation({ input: ListExecutionsInput, fromGraphQL: (a) => a.filter ?? {}, access: actionAdmin })
  async actionExecutions(
    @Input() input: ListExecutionsInput,
    @Args('filter', { type: () => ListExecutionsInput, nullable: true }) _filter?: ListExecutionsInput,
  ): Promise<ExecutionView[]> {
    return (await this.actions.listExecutions(input)).items;
  }

  @Query(() => [ActionDeliveryView], { description: 'Action calls by state and target, newest first (IAM_OWNER)' })
  @Operation({ input: ListActionDeliveriesInput, fromGraphQL: (a) => a.filter ?? {}, access: actionAdmin })
  actionDeliveries(
    @Input() input: ListActionDeliveriesInput,
    @Args('filter', { type: () => ListActionDeliveriesInput, nullable: true }) _filter?: ListActionDeliveriesInput,
  ): Promise<ActionDeliveryView[]> {
    return this.actions.deliveries(input);
  }

  @Mutation(() => ActionDeliveryView, { description: 'Requeue a dead action call, same delivery ID (IAM_OWNER)' })
  @Operation({ input: ActionDeliveryIdInput, fromGraphQL: (a) => ({ id: a.id }), access: actionAdmin })
  requeueActionDelivery(@Input() input: ActionDeliveryIdInput, @Args('id', { type: () => ID }) _id: string) {
    return this.actions.requeue(input.id);
  }
}
