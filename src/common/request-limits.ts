// Limits on the shape of every GraphQL request, enforced before any resolver runs.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
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

/** The meta-fields that start an introspection; their subtrees have a bound of their own (see introspectionRule). */
const INTROSPECTION_ROOTS = new Set(["__schema", "__type"]);

/**
 * Depth of a selection set. Each fragment's depth is computed once and remembered: walking a fragment again at every
 * spread would let a tiny document with fan-out (2^40 spreads in under 1 KB) block the event loop for ever.
 * `counts` decides which fields add a level (and which subtrees are not walked at all); the rest are looked through.
 */
function depthOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
  counts: (field: FieldNode) => "level" | "through" | "skip",
): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const kind = counts(selection);
      if (kind === "skip") deepest = Math.max(deepest, 1);
      else deepest = Math.max(deepest, (kind === "level" ? 1 : 0) + depthOf(selection.selectionSet, fragments, memo, counts));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, memo, counts));
    } else {
      const name = selection.name.value;
      if (!memo.has(name)) {
        // 0 while in progress: a fragment cycle is graphql's own rules' to report; here it just stops the walk.
        memo.set(name, 0);
        memo.set(name, depthOf(fragments[name]?.selectionSet, fragments, memo, counts));
      }
      deepest = Math.max(deepest, memo.get(name)!);
    }
  }
  return deepest;
}

function fragmentsOf(context: ValidationContext): Record<string, FragmentDefinitionNode> {
  const definitions = context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  return Object.fromEntries(definitions.map((f) => [f.name.value, f]));
}

/** MAX_QUERY_DEPTH, for everything but introspection: an introspection field counts as one level here. */
function maxDepthRule(max: number): ValidationRule {
  const counts = (field: FieldNode) => (INTROSPECTION_ROOTS.has(field.name.value) ? "skip" : "level");
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, fragmentsOf(context), new Map(), counts);
      if (depth > max) context.reportError(limitError(`The query is ${depth} levels deep; the limit is ${max} (MAX_QUERY_DEPTH).`));
    },
  });
}

// Introspection's list fields: each nested one multiplies the answer by the size of the schema.
const INTROSPECTION_LISTS = new Set(["types", "directives", "fields", "args", "inputFields", "interfaces", "possibleTypes", "enumValues"]);
/**
 * Lists nested in the deepest query a tool sends (__schema > types > fields > args): one more (say types > fields >
 * type > fields) answers with the schema squared, which is the introspection bomb that ignoring __schema lets in.
 */
const MAX_INTROSPECTION_LISTS = 3;

/**
 * Introspection's own bound. Tools' standard queries nest 15 levels (graphql's TypeRef fragment unwraps nine ofType),
 * deeper than any operation of this API needs, so __schema and __type subtrees are measured apart from
 * MAX_QUERY_DEPTH: at most MAX_INTROSPECTION_DEPTH levels, and at most MAX_INTROSPECTION_LISTS nested lists.
 */
function introspectionRule(maxDepth: number): ValidationRule {
  const levels = () => "level" as const;
  const lists = (field: FieldNode) => (INTROSPECTION_LISTS.has(field.name.value) ? "level" : "through");
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context);
    const memo = { levels: new Map<string, number>(), lists: new Map<string, number>() };
    return {
      Field(node) {
        if (!INTROSPECTION_ROOTS.has(node.name.value)) return;
        const depth = 1 + depthOf(node.selectionSet, fragments, memo.levels, levels);
        const nested = depthOf(node.selectionSet, fragments, memo.lists, lists);
        if (depth > maxDepth) {
          context.reportError(limitError(`The introspection query is ${depth} levels deep; the limit is ${maxDepth} (MAX_INTROSPECTION_DEPTH).`));
        } else if (nested > MAX_INTROSPECTION_LISTS) {
          context.reportError(limitError(`The introspection query nests ${nested} lists; the limit is ${MAX_INTROSPECTION_LISTS}, as deep as __schema { types { fields { args } } }.`));
        }
        // An introspection subtree holds no further introspection root worth a second report.
        return false;
      },
    };
  };
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
    introspectionRule(limits.maxIntrospectionDepth),
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

// Per document, the costs of this many operation-and-variables pairs at most, each key at most this long: small
// variables such as a page size repeat, so a list's cost is estimated once per page size, not on every request.
const MAX_COSTS_PER_DOCUMENT = 32;
const MAX_COST_KEY_LENGTH = 512;

interface DocumentCosts {
  dependsOnVariables: boolean;
  /** Cost by operation name, plus the variables' JSON when they can change it. */
  byKey: Map<string, number>;
}

/** Refuses operations whose estimated cost (fields, multiplied by page sizes) exceeds the limit; needs the variables. */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  // Apollo hands the same parsed document to every request of the same query text (its document cache bounds how
  // many), so a cost is estimated once per document and operation, and per variables when they can change it.
  const costs = new WeakMap<DocumentNode, DocumentCosts>();
  const costsOf = (document: DocumentNode): DocumentCosts => {
    let entry = costs.get(document);
    if (!entry) costs.set(document, (entry = { dependsOnVariables: costDependsOnVariables(document), byKey: new Map() }));
    return entry;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const entry = costsOf(document);
          const key = `${request.operationName ?? ""}\n${entry.dependsOnVariables ? JSON.stringify(request.variables ?? {}) : ""}`;
          const known = entry.byKey.get(key);
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
          if (key.length <= MAX_COST_KEY_LENGTH && entry.byKey.size < MAX_COSTS_PER_DOCUMENT) entry.byKey.set(key, cost);
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
