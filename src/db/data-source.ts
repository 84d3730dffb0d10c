// Builds the one DataSource a server uses; a factory so tests and the CLI each get their own.
import "reflect-metadata";
import { DataSource, type Logger as TypeOrmLogger } from "typeorm";
import type BetterSqlite3 from "better-sqlite3";
import type { DatabaseConfig } from "../config";
import { User } from "../user/user.entity";
import { Conversation } from "../conversation/conversation.entity";
import { Message } from "../conversation/message.entity";
import { Share } from "../share/share.entity";
import { ShareReport } from "../moderation/report.entity";
import { IdempotencyKey } from "../idempotency/idempotency-key.entity";
import { migrations } from "./migrations";
import { ShareEvent, ShareViewDay } from "../share/share-event.entity";
import { ShareViewTotal } from "../share/share-view-total.entity";
import { ENTITY_DIALECT } from "./columns";
import { Attachment } from "../attachment/attachment.entity";
import { Blob } from "../attachment/blob.entity";

export const entities = [User, Conversation, Message, Share, ShareReport, IdempotencyKey, ShareEvent, ShareViewDay, ShareViewTotal, Attachment, Blob];

/** Counts every SQL statement the data source sends; the statement-count tests and the benchmark read it. */
export class QueryCounter implements TypeOrmLogger {
  count = 0;
  constructor(private readonly onError?: (error: string | Error, query: string) => void) {}
  logQuery(): void {
    this.count++;
  }
  logQueryError(error: string | Error, query: string): void {
    this.onError?.(error, query);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface DataSourceOptions {
  database: DatabaseConfig;
  logger?: TypeOrmLogger;
}

export function createDataSource({ database, logger }: DataSourceOptions): DataSource {
  if (database.type !== ENTITY_DIALECT) {
    throw new Error(`The entities were loaded for ${ENTITY_DIALECT} (from DATABASE_URL) but the database is ${database.type}: set DATABASE_URL before starting.`);
  }
  const common = {
    entities,
    migrationsTransactionMode: "each" as const,
    synchronize: false,
    logger: logger ?? new QueryCounter(),
  };
  if (database.type === "postgres") {
    const extra = {
      max: database.poolSize,
      statement_timeout: database.statementTimeoutMs || undefined,
      application_name: "chat-share",
      // Migrations speak unqualified SQL: a schema of our own must be every connection's search_path.
      options: database.schema ? `-c search_path="${database.schema}"` : undefined,
    };
    return new DataSource({
      ...common,
      type: "postgres",
      migrations: migrations.postgres,
      schema: database.schema,
      extra,
      ...(database.replicaUrls.length > 0
        ? {
            // Everything reads from the primary unless it asks for a replica (only the snapshot read of a view does).
            replication: { master: { url: database.url }, slaves: database.replicaUrls.map((url) => ({ url })), defaultMode: "master" as const },
          }
        : { url: database.url }),
    });
  }
  return new DataSource({
    ...common,
    type: "better-sqlite3",
    database: database.path,
    migrations: migrations.sqlite,
    // Waits this long for a lock held by another process (the migration CLI, a backup) instead of failing.
    timeout: 5000,
    statementCacheSize: 200,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      db.pragma("journal_mode = WAL");
      // In WAL mode NORMAL is durable against application crashes and keeps the database consistent on power loss.
      db.pragma("synchronous = NORMAL");
      // Deleted conversations and snapshots are overwritten, not just unlinked: "delete" means gone from the file.
      db.pragma("secure_delete = ON");
    },
  });
}
