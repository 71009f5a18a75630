import type { DescService } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import type { OperationDef } from '../pipeline/operation.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { USER_SERVICE_CONNECT } from '../accounts/users.operations.js';
import { CLIENT_IP } from './interceptors.js';

/**
 * A ZITADEL service over Connect, gRPC and gRPC-web: each method is an operation (its `connect`
 * part), run through the same pipeline as REST and GraphQL (authenticate, rate limits,
 * validate, authorise on the locked row) with the protobuf message converted directly to the
 * input; the other methods of the service answer Unimplemented.
 */
export function serviceImplementation<S extends DescService>(pipeline: Pipeline, defs: readonly OperationDef[]): Partial<ServiceImpl<S>> {
  const impl: Record<string, (req: unknown, ctx: HandlerContext) => Promise<unknown>> = {};
  for (const def of defs) {
    const { method, fromProto, toProto } = def.connect!;
    impl[method] = async (req, ctx) => {
      const headers = Object.fromEntries(ctx.requestHeader.entries());
      const result = await pipeline.run(def, {
        authorization: ctx.requestHeader.get('authorization') ?? undefined,
        ip: ctx.values.get(CLIENT_IP),
        plain: () => fromProto(req, headers),
      });
      return toProto(result);
    };
  }
  return impl as Partial<ServiceImpl<S>>;
}

/** zitadel.user.v2.UserService: the operations of users.operations.ts and email.operations.ts. */
export const userServiceImplementation = (pipeline: Pipeline) => serviceImplementation<typeof UserService>(pipeline, USER_SERVICE_CONNECT);
