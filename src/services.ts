// Builds the stateless services, their keys and their rate limits from the configuration, once per server.
import type { DataSource } from "typeorm";
import type { Config } from "./config";
import type { Services } from "./context";
import type { Logger } from "./common/logger";
import { createRateLimiter } from "./common/rate-limit";
import { loadOrCreateSecret } from "./auth/secrets";
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
import { ModerationService } from "./moderation/moderation.service";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ServiceSet {
  services: Services;
  tokens: SessionTokens;
  /** Flushes batched work and stops background timers. */
  stop(): Promise<void>;
}

export function createServices(config: Config, dataSource: DataSource, logger: Logger): ServiceSet {
  const jwtSecret = loadOrCreateSecret({ envName: "JWT_SECRET", envValue: config.jwtSecret, fileName: "jwt-secret" }, config.dataDir, logger);
  const linkKey = loadOrCreateSecret({ envName: "SHARE_LINK_KEY", envValue: config.shareLinkKey, fileName: "share-link-key" }, config.dataDir, logger);
  const limits = config.rateLimits;
  const transactions = new Transactions(dataSource);
  const tokens = new SessionTokens(jwtSecret, config.tokenTtlSeconds);
  const links = new ShareLinks(config.shareBaseUrl, linkKey);
  const views = new ViewCounter(transactions, logger, config.viewCountFlushMs);
  const linkCache = new SnapshotCache(config.snapshotCacheSize);
  const conversations = new ConversationService(dataSource, transactions, linkCache);
  const shares = new ShareService(
    dataSource,
    transactions,
    conversations,
    links,
    views,
    { maxLifetimeDays: config.shareMaxLifetimeDays, cacheMaxAgeSeconds: config.shareCacheMaxAgeSeconds },
    {
      sharesPerUser: createRateLimiter(limits.sharesPerUserPerHour, HOUR),
      importsPerUser: createRateLimiter(limits.importsPerUserPerHour, HOUR),
      viewsPerIp: createRateLimiter(limits.viewsPerIpPerMinute, MINUTE),
    },
    linkCache,
  );
  const services: Services = {
    users: new UserService(dataSource, transactions, new PasswordHasher(config.scryptLogN), tokens, {
      signupsPerIp: createRateLimiter(limits.signupsPerIpPerHour, HOUR),
      loginsPerAccount: createRateLimiter(limits.loginsPerAccountPerHour, HOUR),
      loginsPerIp: createRateLimiter(limits.loginsPerIpPerHour, HOUR),
    }, linkCache),
    conversations,
    shares,
    dataExport: new DataExportService(dataSource, links, views),
    moderation: new ModerationService(dataSource, transactions, shares, createRateLimiter(config.reportsPerHour, HOUR), linkCache),
  };

  const purge = setInterval(() => {
    transactions.write((manager) => purgeExpiredIdempotencyKeys(manager)).catch((error: unknown) => logger.warn("could not purge idempotency keys", { error: String(error) }));
  }, HOUR);
  purge.unref();

  return {
    services,
    tokens,
    async stop() {
      clearInterval(purge);
      await views.stop();
    },
  };
}
