import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { Conversation } from "./conversation.entity";
import { Message } from "./message.entity";
import { groupBy, MAX_BATCH } from "../common/group-by";
import { loaderById } from "../common/loaders";
import { entityRows } from "../db/entity-rows";
import { toPositionPage, type Page } from "../common/pagination";

export interface MessagePageKey {
  conversationId: string;
  first: number;
  /** Position after which the page starts; -1 for the first page. */
  afterPosition: number;
}

/**
 * Pages of several conversations' messages in one statement per distinct (first, after): a window function
 * numbers each conversation's messages, and only first+1 of each are read.
 */
async function loadMessagePages(dataSource: DataSource, keys: readonly MessagePageKey[]): Promise<Page<Message>[]> {
  const pages = new Map<string, Page<Message>>();
  const groups = groupBy([...keys], (k) => `${k.first}:${k.afterPosition}`);
  for (const group of groups.values()) {
    const { first, afterPosition } = group[0];
    const ranked = dataSource
      .createQueryBuilder()
      .select("m.id", "id")
      .addSelect("ROW_NUMBER() OVER (PARTITION BY m.conversation_id ORDER BY m.position)", "rn")
      .from(Message, "m")
      .where("m.conversation_id IN (:...ids)", { ids: group.map((k) => k.conversationId) })
      .andWhere("m.position > :afterPosition", { afterPosition });
    const picked = await dataSource
      .createQueryBuilder()
      .select("r.id", "id")
      .from(`(${ranked.getQuery()})`, "r")
      .setParameters(ranked.getParameters())
      .where("r.rn <= :limit", { limit: first + 1 })
      .getRawMany<{ id: string }>();
    const rows = picked.length
      ? await dataSource.manager.find(Message, { where: { id: In(picked.map((p) => p.id)) }, order: { conversationId: "ASC", position: "ASC" } })
      : [];
    const byConversation = groupBy(rows, (m) => m.conversationId);
    for (const k of group) pages.set(JSON.stringify(k), toPositionPage(byConversation.get(k.conversationId) ?? [], first));
  }
  return keys.map((k) => pages.get(JSON.stringify(k))!);
}

/**
 * Each conversation's messages, oldest first, without the properties in `leaveOut` (see EntityRows.whereIn). A
 * message's owner is its conversation's (they are written together and never change), so it is taken from the
 * conversation rather than read again on every row: a list of 20 conversations reads 400 messages, and each
 * 36-character string read costs about as much as the row itself (issue 17).
 */
function messagesOfConversations(dataSource: DataSource, leaveOut: readonly (keyof Message)[] = []): DataLoader<Conversation, Message[], string> {
  const rows = entityRows(dataSource, Message);
  return new DataLoader<Conversation, Message[], string>(
    async (conversations) => {
      const ids = conversations.map((c) => c.id);
      const messages = await rows.whereIn(dataSource.manager, "conversationId", ids, { conversationId: "ASC", position: "ASC" }, ["ownerId", ...leaveOut]);
      const groups = groupBy(messages, (m) => m.conversationId);
      return conversations.map((conversation) => {
        const list = groups.get(conversation.id) ?? [];
        for (const message of list) message.ownerId = conversation.ownerId;
        return list;
      });
    },
    { maxBatchSize: MAX_BATCH, cacheKeyFn: (conversation) => conversation.id },
  );
}

/** The fields a query may ask of a message read by `messageTextsOfConversations`. */
export const MESSAGE_TEXT_FIELDS: ReadonlySet<string> = new Set(["role", "content"]);

export function createConversationLoaders(dataSource: DataSource) {
  return {
    messagePages: new DataLoader<MessagePageKey, Page<Message>, string>((keys) => loadMessagePages(dataSource, keys), {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (k) => JSON.stringify(k),
    }),
    conversationsById: loaderById(dataSource, Conversation),
    messagesById: loaderById(dataSource, Message),
    messagesOfConversations: messagesOfConversations(dataSource),
    /**
     * Only who wrote each message and what: a list asking for no more reads no ids, positions or times (a tenth of
     * a list's CPU went on reading and building them). Its messages answer nothing else.
     */
    messageTextsOfConversations: messagesOfConversations(dataSource, ["id", "position", "createdAt"]),
  };
}

