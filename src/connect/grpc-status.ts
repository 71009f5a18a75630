import type { AppError } from '../common/errors/app-error.js';
import { toRestBody } from '../common/errors/error-mapping.js';

/**
 * A gRPC "trailers-only" answer: HTTP 200 with the status in the headers, for a call on
 * GRPC_PORT that fails before Connect's handlers could answer it (they failed to load). Apart
 * from connect-errors.ts so that the server does not load Connect before the first call.
 */
export function grpcTrailersOnly(err: AppError): Record<string, string> {
  return {
    'content-type': 'application/grpc',
    'grpc-status': String(err.code),
    'grpc-message': encodeURIComponent(toRestBody(err).message),
  };
}
