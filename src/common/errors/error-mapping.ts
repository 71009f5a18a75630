import { HttpException, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { redactText } from '../../observability/logging.js';
import { Code, AppError, badRequestBody, invalidArgument, requestInvalid } from './app-error.js';

/**
 * The one mapping of errors, and each transport's rendering of its result:
 *
 *   anything thrown ──mapError──▶ AppError ──▶ restResponse (REST, and errors before any route)
 *                                         ├──▶ graphQLError (GraphQL)
 *                                         ├──▶ toConnectError / grpcTrailersOnly (connect/connect-errors.ts)
 *                                         └──▶ the hosted page's status and text (verify-page.controller.ts)
 *
 * mapError is the only place that decides a code and logs an unexpected error (once, under its
 * incident ID, redacted); the renderers only serialise.
 */

export const unsupportedMediaType = () => badRequestBody(415, 'REQUEST-m3Dia', 'Unsupported content type, use application/json');

const HTTP_STATUS: Record<number, number> = {
  [Code.OK]: 200,
  [Code.CANCELLED]: 499,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

export const httpStatusOf = (code: Code): number => HTTP_STATUS[code] ?? 500;

/** The HTTP status of an error: its own override (413, 415) or its code's. */
export const statusOfError = (err: AppError): number => err.httpStatus ?? httpStatusOf(err.code);
export const codeName = (code: Code): string => Code[code] ?? 'UNKNOWN';

export interface RestErrorBody {
  code: number;
  message: string;
  details: { '@type': string; id: string; message: string }[];
}

/** The ID under which an unexpected error is logged and answered (code 13). */
const incidentId = () => `INTERNAL-${randomBytes(5).toString('hex')}`;

const logger = new Logger('Errors');

/**
 * Anything thrown → the AppError to answer. An unexpected error becomes code 13 with a fresh
 * incident ID and is logged here with its cause, redacted as every log line is; mapping an
 * AppError again (a transport that maps what another layer mapped) logs nothing more.
 */
export function mapError(err: unknown, log: (line: string) => void = (line) => logger.error(line)): AppError {
  const { error, unexpected } = normalizeError(err, incidentId);
  if (unexpected) log(`${error.id}: ${redactText((err as Error)?.stack ?? String(err))}`);
  return error;
}

/** REST (and anything answered before a route ran): status, headers and ZITADEL's body. */
export function restResponse(err: AppError): { status: number; headers: Record<string, string>; body: RestErrorBody } {
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers['Retry-After'] = String(err.retryAfter);
  return { status: statusOfError(err), headers, body: toRestBody(err) };
}

/** GraphQL: the error's message and `extensions`. */
export function graphQLError(err: AppError): { message: string; extensions: GraphQLErrorExtensions } {
  return { message: graphQLMessage(err), extensions: toGraphQLExtensions(err) };
}

/** ZITADEL's REST error body. */
export function toRestBody(err: AppError): RestErrorBody {
  if (err.plainMessage !== undefined) return { code: err.code, message: err.plainMessage, details: [] };
  return {
    code: err.code,
    message: `${err.message} (${err.id})`,
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: err.id, message: err.message }],
  };
}

export interface GraphQLErrorExtensions {
  code: string;
  grpcCode: number;
  httpStatus: number;
  id?: string;
  retryAfter?: number;
  [key: string]: unknown;
}

export function toGraphQLExtensions(err: AppError): GraphQLErrorExtensions {
  const ext: GraphQLErrorExtensions = { code: codeName(err.code), grpcCode: err.code, httpStatus: statusOfError(err) };
  if (err.id) ext.id = err.id;
  if (err.retryAfter !== undefined) ext.retryAfter = err.retryAfter;
  return ext;
}

function graphQLMessage(err: AppError): string {
  return err.plainMessage ?? `${err.message} (${err.id})`;
}

/**
 * Anything that is not an AppError: recognise the few client mistakes that reach us from the
 * HTTP platform (bad JSON, oversized body, wrong content type), and treat everything else as
 * internal. Returns the AppError plus whether it was unexpected (to be logged with its cause).
 */
export function normalizeError(thrown: unknown, incidentId: () => string): { error: AppError; unexpected: boolean } {
  const err = unwrapHttpException(thrown);
  if (err instanceof AppError) return { error: err, unexpected: false };
  const e = err as { code?: unknown; statusCode?: unknown; status?: unknown; type?: unknown; message?: unknown };
  const fastifyCode = typeof e?.code === 'string' ? e.code : '';
  const status = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.status === 'number' ? e.status : 0;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413 || e?.type === 'entity.too.large') {
    return { error: badRequestBody(413, 'REQUEST-Tk3pa', 'Request body too large'), unexpected: false };
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return { error: unsupportedMediaType(), unexpected: false };
  }
  if (
    fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    fastifyCode === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ||
    err instanceof SyntaxError ||
    e?.type === 'entity.parse.failed'
  ) {
    const forbidden = /prototype/i.test(String(e?.message ?? ''));
    return {
      error: requestInvalid(
        forbidden ? 'invalid request body: forbidden key (__proto__ or constructor.prototype)' : 'invalid request body: malformed JSON',
      ),
      unexpected: false,
    };
  }
  if (err instanceof Error && err.name === 'ConcurrentModificationError') {
    // still losing the race after every retry: the client may simply try again
    return { error: new AppError(Code.ABORTED, 'COMMAND-c0ncr', 'The user was changed concurrently; retry'), unexpected: false };
  }
  if (status === 503) return { error: new AppError(Code.UNAVAILABLE, 'HEALTH-r3ady', 'Service unavailable'), unexpected: false };
  if (status === 404) return { error: new AppError(Code.NOT_FOUND, 'REQUEST-n0tFd', 'Route not found'), unexpected: false };
  if (status === 405) return { error: new AppError(Code.UNIMPLEMENTED, 'REQUEST-m3thd', 'Method not allowed'), unexpected: false };
  if (status >= 400 && status < 500) {
    return { error: invalidArgument('REQUEST-b4dRq', 'Bad request'), unexpected: false };
  }
  const id = incidentId();
  return { error: new AppError(Code.INTERNAL, id, 'Internal error'), unexpected: true };
}

/** Nest's own HttpExceptions (404 for unknown routes, platform parse errors) keep their status. */
function unwrapHttpException(e: unknown): unknown {
  if (e instanceof HttpException) {
    const cause = (e as { cause?: unknown }).cause;
    return cause ?? { status: e.getStatus(), message: e.message };
  }
  return e;
}
