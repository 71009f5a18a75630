import type { GraphQLFormattedError } from 'graphql';
import { requestInvalid } from './app-error.js';
import { codeName, graphQLError, mapError } from './error-mapping.js';

/** Apollo's codes for a request GraphQL itself refused before any resolver ran: the client's mistake. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo's formatError. Resolver errors were mapped by the exception filter and carry our
 * extensions: only Apollo's additions (its stacktrace) are dropped. Errors GraphQL raised itself
 * (syntax, validation, variable coercion) are INVALID_ARGUMENT with GraphQL's message; anything
 * else goes through mapError like every other transport's: code 13 with an incident ID, logged.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError {
  const { message, locations, path } = formatted;
  const ext = formatted.extensions ?? {};
  if (typeof ext.grpcCode === 'number') {
    // the name follows the gRPC code: Apollo relabels validation-rule errors GRAPHQL_VALIDATION_FAILED
    const { grpcCode, httpStatus, id, retryAfter } = ext;
    const extensions = {
      code: codeName(grpcCode),
      grpcCode,
      httpStatus,
      ...(id ? { id } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
    return { message, locations, path, extensions };
  }
  const mapped =
    typeof ext.code === 'string' && CLIENT_CODES.has(ext.code)
      ? requestInvalid(message)
      : mapError((error as { originalError?: unknown } | undefined)?.originalError ?? error ?? new Error(message));
  const out = graphQLError(mapped);
  return { message: out.message, locations, path, extensions: out.extensions };
}
