import { ConnectError, createContextKey, type HandlerContext, type Interceptor } from '@connectrpc/connect';
import type { Caller } from '../auth/caller.js';
import type { TokenService } from '../auth/token.service.js';
import { Errors } from '../common/errors/app-error.js';
import { mapError } from '../common/errors/error-mapping.js';
import { toConnectError } from './connect-errors.js';

/** The authenticated caller of a Connect call, set by the auth interceptor. */
export const CALLER = createContextKey<Caller | undefined>(undefined, { description: 'caller' });

/** The caller of a call that went through the auth interceptor. */
export function callerOf(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(CALLER);
  if (!caller) throw Errors.unauthenticated();
  return caller;
}

/**
 * The AuthGuard of Connect: `authorization: Bearer <token>` on every call (VerifyEmail too),
 * verified by the same TokenService; 401 (code 16) otherwise.
 */
export function authInterceptor(tokens: TokenService): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get('authorization');
    if (header === null) throw Errors.authHeaderMissing();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw Errors.unauthenticated();
    req.contextValues.set(CALLER, await tokens.authenticate(match[1]!));
    return next(req);
  };
}

/**
 * The AllExceptionsFilter of Connect: the error mapped by mapError (an unexpected one: code 13
 * with an incident ID, logged there) becomes ZITADEL's gRPC status. Connect's own errors
 * (Unimplemented, malformed messages) pass unchanged.
 */
export function errorInterceptor(log?: (line: string) => void): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      if (e instanceof ConnectError) throw e;
      throw toConnectError(mapError(e, log));
    }
  };
}
