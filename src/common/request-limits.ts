// Limits on the shape of every GraphQL request, enforced before any resolver runs.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  visit,
} from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import type { RequestLimits } from "../config";
import { ErrorCode } from "./errors";
import { isStorableText, UNSTORABLE_TEXT } from "./validation";

/** A client error (HTTP 400) naming the limit; thrown before any resolver runs. */
function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

/**
 * Depth of a selection set. Each fragment's depth is computed once and remembered: walking a fragment again at every
 * spread would let a tiny document with fan-out (2^40 spreads in under 1 KB) block the event loop for ever.
 */
function depthOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, memo));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, memo));
    } else {
      const name = selection.name.value;
      if (!memo.has(name)) {
        // 0 while in progress: a fragment cycle is graphql's own rules' to report; here it just stops the walk.
        memo.set(name, 0);
        memo.set(name, depthOf(fragments[name]?.selectionSet, fragments, memo));
      }
      deepest = Math.max(deepest, memo.get(name)!);
    }
  }
  return deepest;
}

function maxDepthRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const fragments = Object.fromEntries(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
      const depth = depthOf(node.selectionSet, fragments, new Map());
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

/** Whether any variable of the document is an Int: only then can the variables change the estimated cost. */
function costDependsOnVariables(document: DocumentNode): boolean {
  let depends = false;
  visit(document, {
    VariableDefinition(node) {
      let type = node.type;
      while (type.kind !== Kind.NAMED_TYPE) type = type.type;
      if (type.name.value === "Int") depends = true;
    },
  });
  return depends;
}

/** Refuses operations whose estimated cost (fields, multiplied by page sizes) exceeds the limit; needs the variables. */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  // Apollo hands the same parsed document to every request of the same query text, so a cost that cannot depend on
  // the variables (a shared-link view's) is estimated once, not on every view.
  const fixedCosts = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const operation = request.operationName ?? "";
          const known = fixedCosts.get(document)?.get(operation);
          if (known !== undefined) {
            if (known > maxCost) throw limitError(`The query would cost ${known}; the limit is ${maxCost} (MAX_QUERY_COST).`);
            return;
          }
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables,
              estimators: [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // Variables that do not fit the operation: execution refuses them next, before any resolver runs.
            if (error instanceof GraphQLError && error.message.startsWith("Variable ")) return;
            // Anything else (such as a document past the estimator's own node budget) cannot be shown to be cheap.
            throw limitError(`The query's cost cannot be estimated within the limit of ${maxCost} (MAX_QUERY_COST).`);
          }
          if (!costDependsOnVariables(document)) {
            if (!fixedCosts.has(document)) fixedCosts.set(document, new Map());
            fixedCosts.get(document)!.set(operation, cost);
          }
          if (cost > maxCost) throw limitError(`The query would cost ${cost}; the limit is ${maxCost} (MAX_QUERY_COST).`);
        },
      };
    },
  };
}

/** No input type of this schema nests anywhere near this deep; deeper variables are an attack on the parser. */
const MAX_VARIABLE_NESTING = 32;

/**
 * What is wrong with a variables value, if anything: text no field accepts (a NUL or an unpaired UTF-16 surrogate),
 * or nesting deeper than any input. Iterative, so a 100,000-level value cannot overflow the stack.
 */
function problemIn(variables: unknown): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: variables, path: "variables", depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (!isStorableText(value)) return `Text ${UNSTORABLE_TEXT} (found in ${path}).`;
    } else if (value && typeof value === "object") {
      if (depth >= MAX_VARIABLE_NESTING) return `Variables are nested deeper than ${MAX_VARIABLE_NESTING} levels (at ${path}).`;
      for (const [key, inner] of Object.entries(value)) stack.push({ value: inner, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Refuses NUL characters and unpaired surrogates anywhere in a request's text (variables and literals): PostgreSQL
 * cannot store NUL, SQLite's LIKE stops at it, and neither is text a person wrote.
 */
export function textSafetyPlugin(): ApolloServerPlugin {
  // The same query text yields the same parsed document: its literals are checked once.
  const cleanDocuments = new WeakSet<DocumentNode>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let problem = problemIn(request.variables ?? {});
          if (!problem && !cleanDocuments.has(document)) {
            visit(document, {
              StringValue(node) {
                if (!problem && !isStorableText(node.value)) {
                  problem = `Text ${UNSTORABLE_TEXT} (found in a string in the query).`;
                }
              },
            });
          }
          if (problem) throw limitError(problem);
          cleanDocuments.add(document);
        },
      };
    },
  };
}
