// SQL statements per request: the real server in this process, its data source's logger counting every statement,
// one request at a time. Kept apart from the load runs, where counting would cost time and mix requests.
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/common/logger";
import { createDataSource, QueryCounter } from "../src/db/data-source";
import { createServer } from "../src/server";
import { TextGenerator } from "./seed";
import { Api, IMPORT, LIST, listOwner, MY_SHARES, SHARE, VIEW } from "./workloads";

export interface StatementCount {
  request: string;
  statements: number;
}

export interface CountSpec {
  messages: number;
  messageChars: number;
  listConversations: number;
  listMessages: number;
}

/** Runs `work` and returns how many statements the server sent meanwhile. */
async function counted(counter: QueryCounter, work: () => Promise<unknown>): Promise<number> {
  const before = counter.count;
  await work();
  return counter.count - before;
}

export async function countStatements(dir: string, env: Record<string, string>, spec: CountSpec): Promise<StatementCount[]> {
  fs.mkdirSync(dir, { recursive: true });
  // View counts are flushed on a timer; an hour keeps that write out of the counts. A staleness bound of one second
  // lets the pass count what a cached link costs once its trust has run out (the same at the default 30 s).
  const config = loadConfig({
    ...env,
    DATABASE_URL: `sqlite:${path.join(dir, "count.sqlite")}`,
    HOST: "127.0.0.1",
    PORT: "0",
    VIEW_COUNT_FLUSH_MS: "3600000",
    SHARE_CACHE_MAX_AGE_SECONDS: "1",
  });
  const counter = new QueryCounter();
  const dataSource = createDataSource({ database: config.database, logger: counter });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: "each" });
    const app = await createServer({ config, dataSource, logger: createLogger("warn") });
    try {
      return await countRequests(new Api(await app.listen()), counter, spec);
    } finally {
      await app.close();
    }
  } finally {
    await dataSource.destroy();
  }
}

async function countRequests(api: Api, counter: QueryCounter, spec: CountSpec): Promise<StatementCount[]> {
  const text = new TextGenerator(99);
  const owner = await api.signUp("Count Owner");
  const conversationId = await api.conversation(owner, "Counted conversation", spec.messages, spec.messageChars, text);
  const link = await api.share(owner, conversationId);
  const importer = await api.signUp("Count Importer");
  const fewOwner = await listOwner(api, 2, spec.listMessages, spec.messageChars, text);
  const manyOwner = await listOwner(api, spec.listConversations, spec.listMessages, spec.messageChars, text);
  const first = spec.listConversations;
  const shape = `${spec.listConversations} conversations × ${spec.listMessages} messages`;
  return [
    { request: "view, first time (uncached)", statements: await counted(counter, () => api.call(VIEW, { link })) },
    { request: "view of the same link again (cached)", statements: await counted(counter, () => api.call(VIEW, { link })) },
    {
      request: "view of a cached link once SHARE_CACHE_MAX_AGE_SECONDS has passed (confirmed on the primary)",
      statements: await counted(counter, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        await api.call(VIEW, { link });
      }),
    },
    { request: `list, 2 conversations × ${spec.listMessages} messages`, statements: await counted(counter, () => api.call(LIST, { first }, fewOwner)) },
    { request: `list, ${shape}`, statements: await counted(counter, () => api.call(LIST, { first }, manyOwner)) },
    { request: `myShares, 2 shares`, statements: await counted(counter, () => api.call(MY_SHARES, { first }, fewOwner)) },
    { request: `myShares, ${spec.listConversations} shares`, statements: await counted(counter, () => api.call(MY_SHARES, { first }, manyOwner)) },
    { request: `share, ${spec.messages} messages`, statements: await counted(counter, () => api.call(SHARE, { input: { conversationId } }, owner)) },
    { request: `import, ${spec.messages} messages`, statements: await counted(counter, () => api.call(IMPORT, { input: { link } }, importer)) },
  ];
}
