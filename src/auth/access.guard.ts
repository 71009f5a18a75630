import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Errors } from '../common/errors/app-error.js';
import { OPERATION, OperationSpec, requestOf } from '../common/request/operation.js';
import { AccessService } from './access.service.js';

/** The target lookup (404) and permission check (403) of an operation, after validation. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const spec = this.reflector.get<OperationSpec | undefined>(OPERATION, ctx.getHandler());
    if (!spec?.access) return true;
    const req = requestOf(ctx);
    // GraphQL: the validated `input` argument, or the plain arguments of an operation without one
    const args = ctx.getType<string>() === 'graphql' ? GqlExecutionContext.create(ctx).getArgs<{ input?: unknown }>() : null;
    const input = args ? (args.input ?? args) : req.input;
    const caller = req.caller;
    if (!caller) throw Errors.unauthenticated();
    await this.access.check(caller, spec.access(input, caller));
    return true;
  }
}
