// The GraphQL side of pagination: page arguments, PageInfo, and Relay connection types for any node type.
import { ArgsType, Field, Int, ObjectType } from "type-graphql";
import { Max, Min } from "class-validator";
import type { Page, PageInfo as PageInfoShape } from "./pagination";

export const PAGE_MAX = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `How many items to return, 1 to ${PAGE_MAX}.` })
  @Min(1, { message: "first must be at least 1" })
  @Max(PAGE_MAX, { message: `first must be at most ${PAGE_MAX}` })
  first: number = 20;

  @Field(() => String, { nullable: true, description: "Return the items after this cursor (a previous page's endCursor)." })
  after?: string | null;
}

@ObjectType({ description: "Where a page sits in a list (Relay cursor connections)." })
export class PageInfo implements PageInfoShape {
  @Field(() => Boolean, { description: "Whether more items follow this page." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Whether items precede this page. Always false: lists page forward only." })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first item of this page." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last item; pass it as `after` for the next page." })
  endCursor!: string | null;
}

/** Declares the `<Name>Edge` and `<Name>Connection` object types of a list of `nodeType`. */
export function connectionOf<T extends object>(nodeType: new () => T, name: string, listDescription: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name.toLowerCase()} in a list, with its cursor.` })
  class Edge {
    @Field(() => String, { description: "Opaque position of this item in the list." })
    cursor!: string;

    @Field(() => nodeType, { description: "The item." })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: listDescription })
  class Connection implements Page<T> {
    @Field(() => [Edge], { description: "The items of this page." })
    edges!: Edge[];

    @Field(() => PageInfo, { description: "Whether more pages follow, and the cursor to fetch the next." })
    pageInfo!: PageInfo;
  }
  return Connection;
}
