import type { GraphQLFormattedError } from 'graphql';
import { Code } from './app-error.js';
import { codeName, httpStatusOf } from './error-mapping.js';

/**
 * Apollo's formatError: resolver errors already carry our extensions (from the exception
 * filter). Errors raised by GraphQL itself before any resolver ran (syntax, validation,
 * variable coercion) are the client's: INVALID_ARGUMENT. Anything else is internal.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const ext = formatted.extensions ?? {};
  if (typeof ext.grpcCode === 'number') {
    // ours, from the exception filter; drop anything else (Apollo's stacktrace) on the way out
    // the name follows the gRPC code: Apollo relabels validation-rule errors GRAPHQL_VALIDATION_FAILED
    const { grpcCode, httpStatus, id, retryAfter } = ext;
    const extensions = {
      code: codeName(grpcCode as Code),
      grpcCode,
      httpStatus,
      ...(id ? { id } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  const apolloCode = typeof ext.code === 'string' ? ext.code : '';
  const client = [
    'GRAPHQL_PARSE_FAILED',
    'GRAPHQL_VALIDATION_FAILED',
    'BAD_USER_INPUT',
    'BAD_REQUEST',
    'PERSISTED_QUERY_NOT_FOUND',
    'PERSISTED_QUERY_NOT_SUPPORTED',
    'OPERATION_RESOLUTION_FAILURE',
  ].includes(apolloCode);
  const code = client ? Code.INVALID_ARGUMENT : Code.INTERNAL;
  return {
    message: client ? formatted.message : 'Internal error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: codeName(code), grpcCode: code, httpStatus: httpStatusOf(code) },
  };
}
