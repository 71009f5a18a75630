import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { OPERATION, OperationSpec, requestOf } from './operation.js';
import { INPUT_CHECKS, InputChecks, validateInput } from './validation.js';

/**
 * Request validation, as a guard so that it runs before the lookup and permission guards
 * (Nest runs guards before pipes; spec §1 wants validation first).
 */
@Injectable()
export class InputGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(INPUT_CHECKS) private readonly checks: InputChecks,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const spec = this.reflector.get<OperationSpec | undefined>(OPERATION, ctx.getHandler());
    if (!spec?.input) return true;
    if (ctx.getType<string>() === 'graphql') {
      const args = GqlExecutionContext.create(ctx).getArgs<Record<string, unknown>>();
      args.input = validateInput(spec.input, spec.fromGraphQL ? spec.fromGraphQL(args) : args.input, this.checks);
      return true;
    }
    const req = requestOf(ctx);
    const plain = spec.fromRest ? spec.fromRest(req.params ?? {}, req.body, req.headers, req.query ?? {}) : req.body;
    req.input = validateInput(spec.input, plain, this.checks);
    return true;
  }
}
