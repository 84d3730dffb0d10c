// Prometheus metrics at /metrics: requests, GraphQL operations and errors, the snapshot cache, the database pool.
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { DataSource } from "typeorm";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Context } from "./context";
import { formatError } from "./common/format-error";
import { sendJson } from "./http/errors";
import type { Route } from "./http/routes";

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "chat_share_http_requests_total",
    help: "HTTP requests by method, route and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly operations = new Histogram({
    name: "chat_share_graphql_operation_duration_seconds",
    help: "GraphQL operations by their first root field (a schema field, never a name the client chose) and type, with their duration.",
    labelNames: ["operation", "type"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "chat_share_graphql_errors_total",
    help: "GraphQL errors by the code clients receive.",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly responseCacheHits = new Counter({
    name: "chat_share_public_response_cache_hits_total",
    help: "Public shared-link views answered from the in-memory response cache, without GraphQL execution.",
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: "chat_share_snapshot_cache_lookups_total",
    help: "Shared-link views by whether the snapshot came from memory (hit) or the database (miss).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: "chat_share_" });
    const pool = () => (dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    new Gauge({
      name: "chat_share_db_pool_connections",
      help: "PostgreSQL pool connections by state (absent on SQLite, which has one connection).",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p || typeof p.totalCount !== "number") return;
        this.set({ state: "total" }, p.totalCount);
        this.set({ state: "idle" }, p.idleCount);
        this.set({ state: "waiting" }, p.waitingCount);
      },
    });
  }

  /** GET /metrics for Prometheus; with a METRICS_TOKEN, only for a scraper that sends it. */
  route(token: string | null): Route {
    return {
      path: "/metrics",
      methods: ["GET"],
      handle: async (req, res) => {
        if (token && req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { error: "A metrics token is required." });
        const body = await this.registry.metrics();
        res.writeHead(200, { "content-type": this.registry.contentType });
        res.end(body);
      },
    };
  }

  /** The route a path belongs to, never the path itself (which may hold a share token). */
  static route(path: string, sharePrefix: string): string {
    if (["/graphql", "/healthz", "/readyz", "/metrics"].includes(path)) return path;
    if (path.startsWith(sharePrefix)) {
      if (path.endsWith("/report")) return `${sharePrefix}:token/report`;
      return path.endsWith("/card.png") ? `${sharePrefix}:token/card.png` : `${sharePrefix}:token`;
    }
    return "other";
  }

  /**
   * The label of an operation: its first root field, when the schema has it. Operation names are the client's to
   * choose, so labelling by them would let anyone create series without end; root fields are a closed set.
   */
  static operationLabel(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined): string {
    const root = operation && schema.getRootType(operation.operation);
    const first = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
    if (!root || !first || first.kind !== Kind.FIELD) return "unknown";
    return first.name.value in root.getFields() ? first.name.value : "unknown";
  }

  plugin(): ApolloServerPlugin<Context> {
    const metrics = this;
    return {
      async requestDidStart() {
        const stop = metrics.operations.startTimer();
        return {
          async didEncounterErrors({ errors }) {
            for (const error of errors) {
              const code = formatError({ message: error.message, extensions: error.extensions }, error).extensions?.code;
              metrics.errors.inc({ code: String(code) });
            }
          },
          async willSendResponse({ schema, operation }) {
            stop({ operation: Metrics.operationLabel(schema, operation), type: operation?.operation ?? "unknown" });
          },
        };
      },
    };
  }
}
