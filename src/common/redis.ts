// The Redis that several instances share: one connection for commands, one for subscriptions (Redis requires two).
import Redis from "ioredis";
import type { Logger } from "./logger";

export interface SharedRedis {
  commands: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

export async function connectRedis(url: string, logger: Logger): Promise<SharedRedis> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true };
  const commands = new Redis(url, options);
  const subscriber = new Redis(url, options);
  for (const [name, client] of [["commands", commands], ["subscriber", subscriber]] as const) {
    client.on("error", (error) => logger.warn("redis error", { connection: name, error: String(error) }));
  }
  await Promise.all([commands.connect(), subscriber.connect()]);
  return {
    commands,
    subscriber,
    async close() {
      // While Redis is unreachable, quit would wait on reconnects that may never come: just stop trying.
      await Promise.allSettled([commands, subscriber].map(async (client) => (client.status === "ready" ? client.quit() : client.disconnect())));
    },
  };
}

/** Rejects after `ms` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
