import type { ApolloServerPlugin } from '@apollo/server';
import { ASTVisitor, DocumentNode, GraphQLError, Kind, OperationDefinitionNode, ValidationContext, visit } from 'graphql';
import type { TokenService } from '../auth/token.service.js';
import { AppError, Code, Errors } from './errors/app-error.js';
import { codeName, graphQLError, statusOfError } from './errors/error-mapping.js';

/** An AppError as a GraphQL error our formatError keeps, with its HTTP status for Apollo. */
function graphQLErrorOf(e: AppError): GraphQLError {
  const { message, extensions } = graphQLError(e);
  return new GraphQLError(message, { extensions: { ...extensions, http: { status: statusOfError(e) } } });
}

/**
 * spec §7.11: this schema has no subscriptions, so a `subscription` operation is the client's
 * mistake (400 INVALID_ARGUMENT while validating), not an internal error at execution.
 */
export function noSubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(op: OperationDefinitionNode) {
      if (op.operation !== 'subscription') return;
      context.reportError(
        new GraphQLError('Subscriptions are not supported', {
          nodes: [op],
          extensions: {
            code: codeName(Code.INVALID_ARGUMENT),
            grpcCode: Code.INVALID_ARGUMENT,
            httpStatus: 400,
            id: 'GRAPHQL-n0sub',
          },
        }),
      );
    },
  };
}

/** Whether a document asks for the schema (`__schema` or `__type`); `__typename` is not introspection. */
export function asksForSchema(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return false;
      }
      return undefined;
    },
    [Kind.OPERATION_DEFINITION]: () => (found ? false : undefined),
  });
  return found;
}

interface GraphQLContext {
  req?: { headers: Record<string, string | string[] | undefined> };
}

/**
 * spec §7.10: introspection (the whole schema, which tells an attacker every operation and
 * field) needs a valid token like any operation, unless GRAPHQL_PUBLIC_INTROSPECTION=true.
 * The Sandbox page itself stays public; it introspects once a token is set in its headers.
 */
export function introspectionAuthPlugin(tokens: TokenService, isPublic: boolean): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      if (isPublic) return undefined;
      return {
        async didResolveOperation({ document, contextValue }) {
          if (!asksForSchema(document)) return;
          const header = contextValue.req?.headers.authorization;
          if (header === undefined) throw graphQLErrorOf(Errors.authHeaderMissing());
          const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
          if (!match) throw graphQLErrorOf(Errors.unauthenticated());
          try {
            await tokens.authenticate(match[1]!);
          } catch (e) {
            if (e instanceof AppError) throw graphQLErrorOf(e);
            throw e;
          }
        },
      };
    },
  };
}
