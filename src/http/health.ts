// /healthz (the process answers) and /readyz (every dependency it was configured with answers too).
import type { DataSource } from "typeorm";
import { within, type SharedRedis } from "../common/redis";
import { sendJson } from "./errors";
import { GET_OR_HEAD, type Route } from "./routes";

const READY_TIMEOUT_MS = 1000;

export interface Dependencies {
  dataSource: DataSource;
  redis?: SharedRedis;
  /** The cache invalidation subscription, when instances share a Redis. */
  bus?: { healthy(timeoutMs: number): Promise<boolean> };
}

/**
 * Every dependency this instance was configured with, and whether it answers now, each within a second (a paused
 * Redis must not hang the probe). `subscriber` is the cache invalidation subscription: while it is down the
 * instance still answers correctly, but from the database alone.
 */
async function readiness({ dataSource, redis, bus }: Dependencies): Promise<Record<string, boolean>> {
  const answers = (check: Promise<unknown>) => within(check, READY_TIMEOUT_MS).then((ok) => ok !== false, () => false);
  const [database, commands, subscriber] = await Promise.all([
    answers(dataSource.query("SELECT 1")),
    redis && answers(redis.commands.ping().then((pong) => pong === "PONG")),
    bus?.healthy(READY_TIMEOUT_MS),
  ]);
  return { database, ...(redis ? { redis: commands!, subscriber: subscriber ?? false } : {}) };
}

export function healthRoutes(dependencies: Dependencies): Route[] {
  return [
    { path: "/healthz", methods: GET_OR_HEAD, handle: (_req, res) => sendJson(res, 200, { status: "ok" }) },
    {
      path: "/readyz",
      methods: GET_OR_HEAD,
      handle: async (_req, res, { log }) => {
        const checks = await readiness(dependencies);
        const ready = Object.values(checks).every((ok) => ok);
        if (!ready) log.warn("readiness check failed", { checks });
        sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", checks });
      },
    },
  ];
}
