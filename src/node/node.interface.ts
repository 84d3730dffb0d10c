import { Field, ID, InterfaceType } from "type-graphql";

@InterfaceType({
  description: "An object with a stable, opaque, globally unique id, which Query.node refetches (Relay's Node). Treat ids as opaque strings.",
})
export abstract class Node {
  @Field(() => ID, { name: "id", description: "Opaque, globally unique id of this object." })
  nodeId!: string;
}
