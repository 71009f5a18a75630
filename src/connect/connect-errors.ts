import { Code as ConnectCode, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import type { AppError } from '../common/errors/app-error.js';
import { toRestBody } from '../common/errors/error-mapping.js';

/**
 * The gRPC status for Connect, gRPC and gRPC-web, as ZITADEL sends it: the same code and
 * message as the REST body (grpc-gateway renders that body from this status), with the
 * zitadel.v1.ErrorDetail {id, message} in the status details; request-validation errors
 * carry none. A 429's Retry-After travels as response metadata.
 */
export function toConnectError(err: AppError): ConnectError {
  const body = toRestBody(err);
  const metadata = err.retryAfter !== undefined ? { 'retry-after': String(err.retryAfter) } : undefined;
  const details = body.details.map(({ id, message }) => ({ desc: ErrorDetailSchema, value: { id, message } }));
  return new ConnectError(body.message, err.code as number as ConnectCode, metadata, details);
}
