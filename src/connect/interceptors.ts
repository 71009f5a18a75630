import { ConnectError, createContextKey, type Interceptor } from '@connectrpc/connect';
import { Logger } from '@nestjs/common';
import { incidentId } from '../common/errors/all-exceptions.filter.js';
import { normalizeError } from '../common/errors/error-mapping.js';
import { redactText } from '../observability/logging.js';
import { toConnectError } from './connect-errors.js';

/** The client address of a Connect call (common/request/client-ip.ts), set by the transport that received it. */
export const CLIENT_IP = createContextKey<string>('unknown', { description: 'client IP' });

/**
 * The AllExceptionsFilter of Connect: an AppError becomes ZITADEL's gRPC status; anything
 * unexpected becomes code 13 with an incident ID, its cause only in the log. Connect's own
 * errors (Unimplemented, malformed messages) pass unchanged.
 */
export function errorInterceptor(logger = new Logger('Errors')): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      if (e instanceof ConnectError) throw e;
      const { error, unexpected } = normalizeError(e, incidentId);
      // redacted like the other transports' error logs (AllExceptionsFilter)
      if (unexpected) logger.error(`${error.id}: ${redactText((e as Error)?.stack ?? String(e))}`);
      throw toConnectError(error);
    }
  };
}
