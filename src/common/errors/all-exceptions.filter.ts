import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLError } from 'graphql';
import { graphQLError, mapError, restResponse } from './error-mapping.js';

/**
 * Where errors leave the Nest routes and resolvers: mapped once by mapError, then rendered as
 * ZITADEL's REST body or as GraphQL `extensions`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const error = mapError(exception);
    if (host.getType<string>() === 'graphql') {
      const { message, extensions } = graphQLError(error);
      return new GraphQLError(message, { extensions });
    }
    const http = host.switchToHttp();
    const res = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    const { status, headers, body } = restResponse(error);
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(res, name, value);
    // a GraphQL request refused before Apollo saw it (unparsable body): still GraphQL's shape
    const path = String(adapter.getRequestUrl(http.getRequest()) ?? '').split('?', 1)[0];
    adapter.reply(res, path === '/graphql' ? { errors: [graphQLError(error)] } : body, status);
    return undefined;
  }
}
