import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { clientIp } from '../common/request/client-ip.js';
import { GRAPHQL_CALL, IS_PUBLIC, OPERATION, OperationDef, requestOf } from './operation.js';
import { Pipeline } from './pipeline.js';

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * How REST routes and GraphQL fields enter the pipeline: the one global guard runs its steps
 * up to the service for the route's operation and leaves the prepared call for the handler,
 * which hands it to Pipeline.execute. Denies by default: a route that declares no operation
 * still needs a valid token unless it is @Public().
 */
@Injectable()
export class OperationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly pipeline: Pipeline,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const def = this.reflector.get<OperationDef | undefined>(OPERATION, ctx.getHandler());
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
    const req = requestOf(ctx);
    if (!def) {
      if (!open) req.caller ??= await this.pipeline.authenticate(header(req.headers['authorization']));
      return true;
    }
    const graphql = ctx.getType<string>() === 'graphql';
    const args = graphql ? GqlExecutionContext.create(ctx).getArgs<Record<string, unknown>>() : null;
    const call = await this.pipeline.enter(def, {
      authorization: header(req.headers['authorization']),
      ip: clientIp(req),
      caller: req.caller,
      plain: () =>
        args
          ? def.fromGraphQL
            ? def.fromGraphQL(args)
            : args.input
          : def.fromRest
            ? def.fromRest(req.params ?? {}, req.body, req.headers, req.query ?? {})
            : req.body,
    });
    if (call.caller) req.caller = call.caller;
    if (args) args[GRAPHQL_CALL] = call;
    else req.call = call;
    return true;
  }
}
