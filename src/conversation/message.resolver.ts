import { Authorized, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Rule } from "../auth/rules";
import type { Context } from "../context";
import { Attachment } from "../attachment/attachment.entity";
import { Message } from "./message.entity";

@Resolver(() => Message)
export class MessageResolver {
  @Authorized(Rule.OWNER)
  @FieldResolver(() => [Attachment], { description: "Files attached to the message, in the order they were attached." })
  attachments(@Root() message: Message, @Ctx() ctx: Context): Promise<Attachment[]> {
    return ctx.loaders.attachmentsByMessageId.load(message.id);
  }
}
