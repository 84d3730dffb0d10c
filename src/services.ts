// Builds the stateless services, their keys and their rate limits from the configuration, once per server.
import type { DataSource } from "typeorm";
import type { Config } from "./config";
import type { Services } from "./context";
import type { Logger } from "./common/logger";
import { createRateLimiter } from "./common/rate-limit";
import { loadOrCreateSecrets } from "./auth/secrets";
import { PasswordHasher } from "./auth/passwords";
import { SessionTokens } from "./auth/tokens";
import { Transactions } from "./db/transactions";
import { purgeExpiredIdempotencyKeys } from "./idempotency/idempotency";
import { UserService } from "./user/user.service";
import { DataExportService } from "./user/data-export.service";
import { ConversationService } from "./conversation/conversation.service";
import { ShareService } from "./share/share.service";
import { ShareLinks } from "./share/share-links";
import { ViewCounter } from "./share/view-counter";
import { SnapshotCache } from "./share/snapshot-cache";
import { RedisInvalidationBus } from "./share/redis-invalidation-bus";
import type { SharedRedis } from "./common/redis";
import { ModerationService } from "./moderation/moderation.service";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ServiceSet {
  services: Services;
  linkCache: SnapshotCache;
  tokens: SessionTokens;
  /** Flushes batched work and stops background timers. */
  stop(): Promise<void>;
}

/** `shared` is the Redis every instance uses, when configured: rate limits and cache invalidations go through it. */
export function createServices(config: Config, dataSource: DataSource, logger: Logger, shared?: SharedRedis): ServiceSet {
  const redis = shared && { client: shared.commands, keyPrefix: config.redisKeyPrefix };
  const jwtSecrets = loadOrCreateSecrets({ envName: "JWT_SECRET", envValues: config.jwtSecrets, fileName: "jwt-secret" }, config.dataDir, logger);
  const linkKeys = loadOrCreateSecrets({ envName: "SHARE_LINK_KEY", envValues: config.shareLinkKeys, fileName: "share-link-key" }, config.dataDir, logger);
  const limits = config.rateLimits;
  const transactions = new Transactions(dataSource, undefined, () =>
    logger.warn("deleted content stays in the SQLite WAL until the next write: another reader kept the checkpoint from finishing"),
  );
  const tokens = new SessionTokens(jwtSecrets, config.tokenTtlSeconds);
  const links = new ShareLinks(config.shareBaseUrl, linkKeys);
  const views = new ViewCounter(transactions, logger, config.viewCountFlushMs);
  const linkCache = new SnapshotCache(config.snapshotCacheSize, shared && new RedisInvalidationBus(shared.commands, shared.subscriber, logger, config.redisKeyPrefix));
  const conversations = new ConversationService(dataSource, transactions, linkCache);
  const shares = new ShareService(
    dataSource,
    transactions,
    conversations,
    links,
    views,
    { maxLifetimeDays: config.shareMaxLifetimeDays, cacheMaxAgeSeconds: config.shareCacheMaxAgeSeconds },
    {
      sharesPerUser: createRateLimiter("shares", limits.sharesPerUserPerHour, HOUR, redis),
      importsPerUser: createRateLimiter("imports", limits.importsPerUserPerHour, HOUR, redis),
      viewsPerIp: createRateLimiter("views", limits.viewsPerIpPerMinute, MINUTE, redis),
    },
    linkCache,
  );
  const services: Services = {
    users: new UserService(dataSource, transactions, new PasswordHasher(config.scryptLogN), tokens, {
      signupsPerIp: createRateLimiter("signups", limits.signupsPerIpPerHour, HOUR, redis),
      loginsPerAccount: createRateLimiter("logins-account", limits.loginsPerAccountPerHour, HOUR, redis),
      loginsPerIp: createRateLimiter("logins-ip", limits.loginsPerIpPerHour, HOUR, redis),
    }, linkCache),
    conversations,
    shares,
    dataExport: new DataExportService(dataSource, links, views),
    moderation: new ModerationService(dataSource, transactions, shares, createRateLimiter("reports", config.reportsPerHour, HOUR, redis), linkCache),
  };

  const purge = setInterval(() => {
    transactions.write((manager) => purgeExpiredIdempotencyKeys(manager)).catch((error: unknown) => logger.warn("could not purge idempotency keys", { error: String(error) }));
  }, HOUR);
  purge.unref();

  return {
    services,
    linkCache,
    tokens,
    async stop() {
      clearInterval(purge);
      await views.stop();
    },
  };
}
