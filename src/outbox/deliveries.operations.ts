import { defineOperation } from '../pipeline/operation.js';
import { ListDeliveriesInput, RequeueDeliveryInput } from './deliveries.input.js';
import { OutboxService } from './outbox.service.js';

// Delivery status for administrators (IAM_OWNER): spec §5 "Delivery status".

export const ListMailDeliveries = defineOperation({
  name: 'ListMailDeliveries',
  input: ListDeliveriesInput,
  limit: 'read',
  access: () => ({ kind: 'instance', permission: 'mail.admin' }),
  fromRest: (_p, _b, _h, query) => ({ state: query.state, userId: query.userId }),
  fromGraphQL: (a) => ({ state: a.state ?? undefined, userId: a.userId ?? undefined }),
  service: OutboxService,
  execute: (outbox, call) => outbox.list(call.input),
});

export const RequeueMailDelivery = defineOperation({
  name: 'RequeueMailDelivery',
  input: RequeueDeliveryInput,
  limit: 'write',
  access: () => ({ kind: 'instance', permission: 'mail.admin' }),
  fromRest: (p) => ({ id: p.id }),
  fromGraphQL: (a) => ({ id: a.id }),
  service: OutboxService,
  execute: (outbox, call) => outbox.requeue(call.input.id),
});
