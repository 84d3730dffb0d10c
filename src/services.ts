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
import { conversationExport } from "./conversation/conversation.export";
import { EventBus } from "./common/events";
import { shareExport } from "./share/share.export";
import { subscribeShares } from "./share/share.subscribers";
import { ShareService } from "./share/share.service";
import { ShareReader } from "./share/share-reader";
import { ShareLinks } from "./share/share-links";
import { ViewCounter } from "./share/view-counter";
import { SnapshotCache } from "./share/snapshot-cache";
import { RedisInvalidationBus } from "./share/redis-invalidation-bus";
import { PublicResponseCache } from "./share/public-response-cache";
import { PublicResponses } from "./share/public-responses";
import type { SharedRedis } from "./common/redis";
import type { Metrics } from "./metrics";
import { ModerationService } from "./moderation/moderation.service";
import { AttachmentService } from "./attachment/attachment.service";
import { DatabaseBlobStore } from "./attachment/blob-store";
import { subscribeAttachments } from "./attachment/attachment.subscribers";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ServiceSet {
  services: Services;
  linkCache: SnapshotCache;
  /** The whole-response cache of public link views, at the GraphQL door. */
  responses: PublicResponses;
  /** The invalidation bus, when instances share a Redis: /readyz checks its subscription. */
  bus?: RedisInvalidationBus;
  tokens: SessionTokens;
  /** Flushes batched work and stops background timers. */
  stop(): Promise<void>;
}

/** `shared` is the Redis every instance uses, when configured: rate limits and cache invalidations go through it. */
export function createServices(config: Config, dataSource: DataSource, logger: Logger, metrics: Metrics, shared?: SharedRedis): ServiceSet {
  const limits = config.rateLimits;
  const stores = { memoryMaxBytes: limits.memoryMaxBytes, redis: shared && { client: shared.commands, keyPrefix: config.redisKeyPrefix }, logger };
  const jwtSecrets = loadOrCreateSecrets({ envName: "JWT_SECRET", envValues: config.jwtSecrets, fileName: "jwt-secret" }, config.dataDir, logger);
  const linkKeys = loadOrCreateSecrets({ envName: "SHARE_LINK_KEY", envValues: config.shareLinkKeys, fileName: "share-link-key" }, config.dataDir, logger);
  const transactions = new Transactions(dataSource, undefined, () =>
    logger.warn("deleted content stays in the SQLite WAL until the next write: another reader kept the checkpoint from finishing"),
  );
  const tokens = new SessionTokens(jwtSecrets, config.tokenTtlSeconds);
  const links = new ShareLinks(config.shareBaseUrl, linkKeys);
  const views = new ViewCounter(transactions, logger, config.viewCountFlushMs);
  const maxAgeMs = config.shareCacheMaxAgeSeconds * 1000;
  const bus = shared && new RedisInvalidationBus(shared.commands, shared.subscriber, logger, config.redisKeyPrefix, maxAgeMs);
  const responseCache = new PublicResponseCache(config.responseCacheMaxBytes);
  const linkCache = new SnapshotCache(
    {
      maxEntries: config.snapshotCacheSize,
      maxBytes: config.snapshotCacheMaxBytes,
      maxAgeMs,
      onLookup: (hit) => metrics.cacheLookups.inc({ result: hit ? "hit" : "miss" }),
      // Whole responses show links too: whatever a link may no longer show, no response may either.
      onInvalidate: () => responseCache.clear(),
    },
    bus,
  );
  const attachments = new AttachmentService(dataSource, transactions, new DatabaseBlobStore(dataSource), config.attachmentLimits,
    createRateLimiter("uploads", limits.uploadsPerUserPerHour, HOUR, stores));
  // Modules announce on it what they did; those built on them (sharing, files) react.
  const events = new EventBus();
  subscribeShares(events, linkCache);
  subscribeAttachments(events, attachments);
  const conversations = new ConversationService(dataSource, transactions, events, config.conversationLimits, {
    conversationsPerUser: createRateLimiter("conversations", limits.conversationsPerUserPerHour, HOUR, stores),
    messagesPerUser: createRateLimiter("messages", limits.messagesPerUserPerHour, HOUR, stores),
  }, attachments);
  const viewsPerIp = createRateLimiter("views", limits.viewsPerIpPerMinute, MINUTE, stores);
  const shareReader = new ShareReader(dataSource, links, views, linkCache, viewsPerIp, config.shareCacheMaxAgeSeconds, (error) =>
    logger.warn("a read replica failed; the view read the primary instead", { error: String(error) }),
  );
  const responses = new PublicResponses(
    responseCache,
    (clientIp, shareIds, stillShown) => shareReader.countCachedView(clientIp, shareIds, stillShown),
    () => metrics.responseCacheHits.inc(),
    Boolean(bus),
  );
  const shares = new ShareService(
    dataSource,
    transactions,
    conversations,
    links,
    views,
    shareReader,
    config.shareMaxLifetimeDays,
    {
      sharesPerUser: createRateLimiter("shares", limits.sharesPerUserPerHour, HOUR, stores),
      importsPerUser: createRateLimiter("imports", limits.importsPerUserPerHour, HOUR, stores),
    },
    linkCache,
    attachments,
  );
  const services: Services = {
    users: new UserService(dataSource, transactions, new PasswordHasher(config.scryptLogN), tokens, {
      signupsPerIp: createRateLimiter("signups", limits.signupsPerIpPerHour, HOUR, stores),
      loginsPerAccount: createRateLimiter("logins-account", limits.loginsPerAccountPerHour, HOUR, stores),
      loginsPerIp: createRateLimiter("logins-ip", limits.loginsPerIpPerHour, HOUR, stores),
    }, events),
    conversations,
    shares,
    shareReader,
    dataExport: new DataExportService([conversationExport(dataSource), shareExport(dataSource, links, views)]),
    moderation: new ModerationService(dataSource, transactions, shareReader, createRateLimiter("reports", config.reportsPerHour, HOUR, stores), linkCache),
    attachments,
  };

  const purge = setInterval(() => {
    transactions.write((manager) => purgeExpiredIdempotencyKeys(manager)).catch((error: unknown) => logger.warn("could not purge idempotency keys", { error: String(error) }));
  }, HOUR);
  purge.unref();
  const purgeUploads = setInterval(() => {
    attachments.purgeUnattached().catch((error: unknown) => logger.warn("could not purge unattached uploads", { error: String(error) }));
  }, HOUR);
  purgeUploads.unref();

  return {
    services,
    linkCache,
    responses,
    bus,
    tokens,
    async stop() {
      clearInterval(purge);
      clearInterval(purgeUploads);
      await views.stop();
    },
  };
}
