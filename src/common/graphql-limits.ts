import {
  ASTVisitor,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
} from 'graphql';
import { Code } from './errors/app-error.js';
import { codeName } from './errors/error-mapping.js';

export interface GraphQLLimits {
  /** Deepest field nesting, fragments expanded (introspection of this schema needs 13). */
  maxDepth: number;
  /** Aliased fields per operation: aliases are how one request repeats a costly field. */
  maxAliases: number;
  /** Fields per operation after expanding fragments: a simple cost. */
  maxFields: number;
}

const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = { maxDepth: 15, maxAliases: 20, maxFields: 1500 };

const refused = (message: string) =>
  new GraphQLError(message, {
    extensions: { code: codeName(Code.INVALID_ARGUMENT), grpcCode: Code.INVALID_ARGUMENT, httpStatus: 400, id: 'GRAPHQL-l1m1t' },
  });

/**
 * A validation rule that refuses query bombs before anything executes: depth, aliases and
 * field count per operation, with fragments expanded (and fragment cycles cut, which GraphQL's
 * own validation reports).
 */
export function graphqlLimitsRule(limits: GraphQLLimits = DEFAULT_GRAPHQL_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    return {
      OperationDefinition(op: OperationDefinitionNode) {
        const stats = { depth: 0, aliases: 0, fields: 0 };
        const stop = () => stats.depth > limits.maxDepth || stats.aliases > limits.maxAliases || stats.fields > limits.maxFields;
        const walk = (set: SelectionSetNode, depth: number, seen: ReadonlySet<string>): void => {
          for (const sel of set.selections) {
            if (stop()) return;
            if (sel.kind === Kind.FIELD) {
              stats.fields++;
              if (sel.alias) stats.aliases++;
              stats.depth = Math.max(stats.depth, depth);
              if (sel.selectionSet) walk(sel.selectionSet, depth + 1, seen);
            } else if (sel.kind === Kind.INLINE_FRAGMENT) {
              walk(sel.selectionSet, depth, seen);
            } else {
              const name = sel.name.value;
              const frag = fragments.get(name);
              if (frag && !seen.has(name)) walk(frag.selectionSet, depth, new Set([...seen, name]));
            }
          }
        };
        walk(op.selectionSet, 1, new Set());
        if (stats.depth > limits.maxDepth) context.reportError(refused(`Query is too deep: at most ${limits.maxDepth} levels`));
        else if (stats.aliases > limits.maxAliases)
          context.reportError(refused(`Too many aliases: at most ${limits.maxAliases} per operation`));
        else if (stats.fields > limits.maxFields)
          context.reportError(refused(`Query is too costly: at most ${limits.maxFields} fields per operation`));
      },
    };
  };
}
