import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Attachment } from "../attachment/attachment.entity";
import { Message } from "./message.entity";

@Resolver(() => Message)
export class MessageResolver {
  @FieldResolver(() => [Attachment], { description: "Files attached to the message, in the order they were attached." })
  attachments(@Root() message: Message, @Ctx() ctx: Context): Promise<Attachment[]> {
    return ctx.loaders.attachmentsByMessageId.load(message.id);
  }
}
