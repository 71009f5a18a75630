import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Errors } from '../common/errors/app-error.js';
import { IS_PUBLIC, requestOf } from '../common/request/operation.js';
import { TokenService } from './token.service.js';

/** Denies by default: every route needs a valid Bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = requestOf(ctx);
    if (req.caller) return true; // one HTTP request carrying several GraphQL operations
    const header = req.headers['authorization'];
    if (header === undefined) throw Errors.authHeaderMissing();
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw Errors.unauthenticated();
    req.caller = await this.tokens.authenticate(match[1]!);
    return true;
  }
}
