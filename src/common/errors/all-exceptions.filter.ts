import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLError } from 'graphql';
import { randomBytes } from 'node:crypto';
import { redactText } from '../../observability/logging.js';
import { graphQLMessage, normalizeError, statusOfError, toGraphQLExtensions, toRestBody } from './error-mapping.js';

export const incidentId = () => `INTERNAL-${randomBytes(5).toString('hex')}`;

/**
 * The one place errors leave the service: AppError → ZITADEL's REST body or GraphQL
 * `extensions`; anything else → code 13 with an incident ID, the cause only in the log.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const { error, unexpected } = normalizeError(unwrapHttpException(exception), incidentId);
    if (unexpected) this.logger.error(`${error.id}: ${redactText((exception as Error)?.stack ?? String(exception))}`);
    if (host.getType<string>() === 'graphql') {
      return new GraphQLError(graphQLMessage(error), { extensions: toGraphQLExtensions(error) });
    }
    const http = host.switchToHttp();
    const res = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    if (error.retryAfter !== undefined) adapter.setHeader(res, 'Retry-After', String(error.retryAfter));
    // a GraphQL request refused before Apollo saw it (unparsable body): still GraphQL's shape
    const path = String(adapter.getRequestUrl(http.getRequest()) ?? '').split('?', 1)[0];
    const body =
      path === '/graphql' ? { errors: [{ message: graphQLMessage(error), extensions: toGraphQLExtensions(error) }] } : toRestBody(error);
    adapter.reply(res, body, statusOfError(error));
    return undefined;
  }
}

/** Nest's own HttpExceptions (404 for unknown routes, platform parse errors) keep their status. */
function unwrapHttpException(e: unknown): unknown {
  if (e instanceof HttpException) {
    const cause = (e as { cause?: unknown }).cause;
    return cause ?? { status: e.getStatus(), message: e.message };
  }
  return e;
}
