import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { BadInputError } from "../common/errors";
import { fromGlobalId, NodeType } from "../common/global-id";
import type { Context } from "../context";
import { Node } from "./node.interface";
import { ShareReport } from "../moderation/report.entity";
import { User, UserRole } from "../user/user.entity";

export const NODES_MAX = 100;

/** Whether the viewer may see this object: the same rules as everywhere else (owner, self, or moderator for reports). */
function visible(node: object | null, ctx: Context): boolean {
  const viewer = ctx.viewer;
  if (!node || !viewer) return false;
  if (node instanceof ShareReport) return viewer.role === UserRole.ADMIN;
  if (node instanceof User) return node.id === viewer.id;
  return (node as { ownerId?: string }).ownerId === viewer.id;
}

async function resolveNode(globalId: string, ctx: Context): Promise<Node | null> {
  const parsed = fromGlobalId(globalId);
  if (!parsed) return null;
  const { loaders, viewer } = ctx;
  const load = {
    [NodeType.User]: async () => (viewer && viewer.id === parsed.id ? viewer : null),
    [NodeType.Conversation]: () => loaders.conversationsById.load(parsed.id),
    [NodeType.Message]: () => loaders.messagesById.load(parsed.id),
    [NodeType.Share]: () => loaders.sharesById.load(parsed.id),
    [NodeType.ShareReport]: () => loaders.reportsById.load(parsed.id),
  }[parsed.type];
  const node = await load();
  return visible(node, ctx) ? (node as Node) : null;
}

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, {
    nullable: true,
    description: "Refetches any object of yours by its global id; null for an id that does not exist or is not yours.",
  })
  node(@Arg("id", () => ID, { description: "A global id from any `id` field." }) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    return resolveNode(id, ctx);
  }

  @Authorized()
  @Query(() => [Node], {
    nullable: "items",
    description: `Refetches up to ${NODES_MAX} objects by global id, in the order asked; null in place of any that does not exist or is not yours.`,
  })
  nodes(
    @Arg("ids", () => [ID], { description: `Global ids, at most ${NODES_MAX}.` }) ids: string[],
    @Ctx() ctx: Context,
  ): Promise<(Node | null)[]> {
    if (ids.length > NODES_MAX) throw new BadInputError(`nodes takes at most ${NODES_MAX} ids.`, { field: "ids" });
    return Promise.all(ids.map((id) => resolveNode(id, ctx)));
  }
}
