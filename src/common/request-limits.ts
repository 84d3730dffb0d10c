// Limits on the shape of every GraphQL request, enforced before any resolver runs.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import type { RequestLimits } from "../config";
import { ErrorCode } from "./errors";

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else if (!seen.has(selection.name.value)) {
      // A fragment cycle is reported by graphql's own rules; here it just stops the walk.
      const fragment = fragments[selection.name.value];
      deepest = Math.max(deepest, depthOf(fragment?.selectionSet, fragments, new Set(seen).add(selection.name.value)));
    }
  }
  return deepest;
}

function maxDepthRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const fragments = Object.fromEntries(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
      const depth = depthOf(node.selectionSet, fragments, new Set());
      if (depth > max) context.reportError(limitError(`The query is ${depth} levels deep; the limit is ${max} (MAX_QUERY_DEPTH).`));
    },
  });
}

/** Counts a kind of node across the whole document (fragments included) and refuses more than `max`. */
function countRule(what: string, envName: string, max: number, counts: (visit: () => void) => ASTVisitor): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      ...counts(() => {
        count++;
      }),
      Document: {
        leave() {
          if (count > max) context.reportError(limitError(`The query has ${count} ${what}; the limit is ${max} (${envName}).`));
        },
      },
    };
  };
}

export function limitRules(limits: RequestLimits): ValidationRule[] {
  return [
    maxDepthRule(limits.maxDepth),
    countRule("aliases", "MAX_QUERY_ALIASES", limits.maxAliases, (count) => ({ Field: (node) => void (node.alias && count()) })),
    countRule("directives", "MAX_QUERY_DIRECTIVES", limits.maxDirectives, (count) => ({ Directive: () => count() })),
  ];
}

// A connection field costs its children once per item it may return.
const connectionEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === "number" ? 1 + childComplexity * args.first : undefined;

/** Refuses operations whose estimated cost (fields, multiplied by page sizes) exceeds the limit; needs the variables. */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables,
              estimators: [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch {
            // Variables that do not fit the operation: execution refuses them next, before any resolver runs.
            return;
          }
          if (cost > maxCost) throw limitError(`The query would cost ${cost}; the limit is ${maxCost} (MAX_QUERY_COST).`);
        },
      };
    },
  };
}
