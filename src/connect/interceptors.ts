import { ConnectError, createContextKey, type Interceptor } from '@connectrpc/connect';
import { mapError } from '../common/errors/error-mapping.js';
import { toConnectError } from './connect-errors.js';

/** The client address of a Connect call (common/request/client-ip.ts), set by the transport that received it. */
export const CLIENT_IP = createContextKey<string>('unknown', { description: 'client IP' });

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
