import { entityRows } from "../db/entity-rows";
import { LessThanOrEqual, type DataSource, type EntityManager, type FindOptionsWhere } from "typeorm";
import { BadInputError, NotFoundError } from "../common/errors";
import { enforce, type RateLimiter } from "../common/rate-limit";
import type { ConversationLimits } from "../config";
import { newId } from "../common/ids";
import { findPage, type Page } from "../common/pagination";
import type { Transactions } from "../db/transactions";
import { idempotent } from "../idempotency/idempotency";
import type { EventBus } from "../common/events";
import type { User } from "../user/user.entity";
import { Conversation } from "./conversation.entity";
import { Message, type MessageRole } from "./message.entity";
import { ConversationDeleted } from "./conversation.events";
import type { AttachmentService } from "../attachment/attachment.service";
import type { Attachment } from "../attachment/attachment.entity";

export interface NewMessage {
  role: MessageRole;
  content: string;
  /** Uploads of the author's to attach (appendMessage). */
  attachmentIds?: readonly string[] | null;
  /** Attachments to copy the references of (an import copies a snapshot's). */
  attachmentCopies?: Attachment[];
}

export interface ConversationRateLimits {
  conversationsPerUser: RateLimiter;
  messagesPerUser: RateLimiter;
}

/** Messages and UTF-8 bytes of content in a conversation (or a snapshot of one). */
interface Size {
  messages: number;
  bytes: number;
}

function sizeOf(messages: NewMessage[]): Size {
  return { messages: messages.length, bytes: messages.reduce((sum, m) => sum + Buffer.byteLength(m.content), 0) };
}

export interface AppendedMessage {
  message: Message;
  conversation: Conversation;
}

export class ConversationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly events: EventBus,
    readonly caps: ConversationLimits,
    private readonly rateLimits: ConversationRateLimits,
    private readonly attachments: AttachmentService,
  ) {}

  async create(viewer: User, title: string): Promise<Conversation> {
    await enforce(this.rateLimits.conversationsPerUser, viewer.id, "new conversations");
    return this.transactions.write((manager) => this.insert(manager, viewer.id, title, []));
  }

  /**
   * Refuses what would make a conversation (or a snapshot, or an imported copy) hold more than the caps allow, so
   * no one conversation can cost the database, a snapshot or a view more than MAX_CONVERSATION_BYTES.
   */
  checkCaps(size: Size, what: string): void {
    if (size.messages > this.caps.maxMessages) {
      throw new BadInputError(`${what} would hold more than the limit of ${this.caps.maxMessages} messages; start a new conversation.`);
    }
    if (size.bytes > this.caps.maxBytes) {
      throw new BadInputError(`${what} would hold more than the limit of ${this.caps.maxBytes} bytes of messages; start a new conversation.`);
    }
  }

  /** Inserts a conversation with its first messages; the caller owns the transaction (import uses it too). */
  async insert(
    manager: EntityManager,
    ownerId: string,
    title: string,
    messages: NewMessage[],
    importedFrom?: { title: string; sharedAt: Date },
  ): Promise<Conversation> {
    this.checkCaps(sizeOf(messages), "The imported conversation");
    const now = new Date();
    const conversation = manager.create(Conversation, {
      id: newId(),
      ownerId,
      title: title.trim(),
      createdAt: now,
      importedFromTitle: importedFrom?.title ?? null,
      importedFromSharedAt: importedFrom?.sharedAt ?? null,
    });
    await manager.insert(Conversation, conversation);
    if (messages.length > 0) {
      const rows = messages.map((m, position) =>
        manager.create(Message, { id: newId(), conversationId: conversation.id, ownerId, position, role: m.role, content: m.content, createdAt: now }),
      );
      await entityRows(manager.connection, Message).insert(manager, rows);
      for (const [i, m] of messages.entries()) {
        if (m.attachmentCopies?.length) await this.attachments.copy(manager, m.attachmentCopies, { ownerId, conversationId: conversation.id, messageId: rows[i].id });
      }
    }
    return conversation;
  }

  /** The viewer's conversation; someone else's answers exactly like one that does not exist. */
  async getOwned(viewer: User, id: string, manager: EntityManager = this.dataSource.manager): Promise<Conversation> {
    const conversation = await manager.findOneBy(Conversation, { id, ownerId: viewer.id });
    if (!conversation) throw new NotFoundError("Conversation");
    return conversation;
  }

  list(viewer: User, page: { first: number; after?: string | null }): Promise<Page<Conversation>> {
    return findPage(this.dataSource.manager, Conversation, { ownerId: viewer.id }, page);
  }

  /**
   * Messages of a conversation in order, up to and including `upToMessageId` when given; the caller has checked
   * ownership. An id that is not a message of this conversation is refused, whoever's message it is.
   */
  async messagesOf(conversationId: string, manager: EntityManager = this.dataSource.manager, upToMessageId?: string | null): Promise<Message[]> {
    let where: FindOptionsWhere<Message> = { conversationId };
    if (upToMessageId) {
      const last = await manager.findOne(Message, { where: { id: upToMessageId, conversationId }, select: { position: true } });
      if (!last) throw new BadInputError("upToMessageId is not a message of this conversation.", { field: "upToMessageId" });
      where = { conversationId, position: LessThanOrEqual(last.position) };
    }
    // Conversations made before the caps may be over them: such a one can be shared only up to a message within them.
    this.checkCaps(await this.sizeOf(manager, where), "A snapshot of this conversation");
    const rows = entityRows(manager.connection, Message);
    return (await rows.query("m", manager).where(where).orderBy("m.position", "ASC").getRawMany<Record<string, unknown>>()).map(rows.entityOf);
  }

  /** Counted by the database, so nothing over the caps is ever loaded into memory. */
  private async sizeOf(manager: EntityManager, where: FindOptionsWhere<Message>): Promise<Size> {
    const row = await manager
      .createQueryBuilder(Message, "m")
      .select("COUNT(*)", "messages")
      .addSelect("COALESCE(SUM(OCTET_LENGTH(m.content)), 0)", "bytes")
      .where(where)
      .getRawOne<{ messages: string | number; bytes: string | number }>();
    return { messages: Number(row?.messages ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  /** Adds a message; returns it with its own conversation (a retry may name another one, and gets the first result as it was). */
  async append(viewer: User, conversationId: string, message: NewMessage, idempotencyKey?: string | null): Promise<AppendedMessage> {
    const added = await this.transactions.write((manager) =>
      idempotent(
        manager,
        { userId: viewer.id, key: idempotencyKey, operation: "appendMessage" },
        // Counted only when something is created: a retry of a done request gets its result, not RATE_LIMITED.
        async () => {
          await enforce(this.rateLimits.messagesPerUser, viewer.id, "new messages");
          return this.insertMessage(manager, viewer, conversationId, message);
        },
        (id) => manager.findOneBy(Message, { id, ownerId: viewer.id }),
      ),
    );
    return { message: added, conversation: await this.getOwned(viewer, added.conversationId) };
  }

  private async insertMessage(manager: EntityManager, viewer: User, conversationId: string, message: NewMessage): Promise<Message> {
    // On PostgreSQL, several instances may append at once: the row lock makes them take positions one at a time.
    // (SQLite has one writer anyway, and no row locks.)
    const lock = manager.connection.options.type === "postgres" ? { mode: "pessimistic_write" as const } : undefined;
    const conversation = await manager.findOne(Conversation, { where: { id: conversationId, ownerId: viewer.id }, lock });
    if (!conversation) throw new NotFoundError("Conversation");
    // Under the row lock: two appends at once cannot both squeeze under the caps.
    const size = await this.sizeOf(manager, { conversationId });
    this.checkCaps({ messages: size.messages + 1, bytes: size.bytes + Buffer.byteLength(message.content) }, "This conversation");
    const last = await manager.findOne(Message, { where: { conversationId }, order: { position: "DESC" }, select: { position: true } });
    const row = manager.create(Message, {
      id: newId(),
      conversationId,
      ownerId: viewer.id,
      position: last ? last.position + 1 : 0,
      role: message.role,
      content: message.content,
      createdAt: new Date(),
    });
    await manager.insert(Message, row);
    await this.attachments.attach(manager, { ownerId: viewer.id, conversationId, messageId: row.id }, message.attachmentIds ?? []);
    return row;
  }

  /**
   * Deletes the conversation and its messages; rows of modules built on it (snapshots, their reports) go in the same
   * transaction by their foreign keys' ON DELETE CASCADE. Others' imported copies stay. The announcement is awaited,
   * so links to it are dead everywhere when this answers.
   */
  delete(viewer: User, conversationId: string): Promise<string> {
    return this.transactions.erase(async (manager) => {
      await this.getOwned(viewer, conversationId, manager);
      // Its messages' files, its snapshots' copies, and every blob nothing else refers to any more (no foreign key
      // cascades to them: one blob may be referred to from many conversations).
      await this.attachments.erase(manager, { conversationId });
      await manager.delete(Message, { conversationId });
      await manager.delete(Conversation, { id: conversationId });
      return conversationId;
    }).finally(() => this.events.publish(new ConversationDeleted(conversationId, viewer.id)));
  }
}
