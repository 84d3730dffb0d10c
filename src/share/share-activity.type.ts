// The GraphQL shapes of a link's history, its views per day, and a conversation's sharing badge.
import { ArgsType, Directive, Field, Int, ObjectType } from "type-graphql";
import { Max, Min } from "class-validator";
import { DateTimeResolver } from "graphql-scalars";
import { PRIVATE } from "../common/cache-control";
import { connectionOf } from "../common/connection";
import { AGGREGATED_KINDS, ShareEventKind, type ShareEvent } from "./share-event.entity";

export const VIEWS_BY_DAY_MAX = 365;

@ObjectType({ description: "One thing that happened to a link. Holds counts, settings and public reasons only: never who viewed, imported or reported it." })
@Directive(PRIVATE)
export class ShareActivity {
  /** The event's id (or, for EXPIRED, one made from expiresAt): the list's order and cursor. */
  id!: string;

  @Field(() => ShareEventKind, { description: "What happened." })
  kind!: ShareEventKind;

  @Field(() => DateTimeResolver, { description: "When it happened; for IMPORTED and REPORTED, the first time that UTC day." })
  at!: Date;

  @Field(() => String, { nullable: true, description: "For IMPORTED and REPORTED, the UTC day (YYYY-MM-DD) that count covers; null otherwise." })
  day!: string | null;

  @Field(() => Int, { nullable: true, description: "For IMPORTED and REPORTED, how many times that UTC day; null otherwise." })
  count!: number | null;

  @Field(() => Int, { nullable: true, description: "For CREATED and REFRESHED, how many messages the snapshot held; null otherwise." })
  messageCount!: number | null;

  @Field(() => String, { nullable: true, description: "For ATTRIBUTION_CHANGED and AUDIENCE_CHANGED, the new value (a ShareAttribution or ShareAudience); null otherwise." })
  newValue!: string | null;

  @Field(() => String, { nullable: true, description: "For DISABLED and REENABLED, the moderator's reason as the owner is told it; null otherwise." })
  reason!: string | null;
}

export const ShareActivityConnection = connectionOf(ShareActivity, "ShareActivity", "A page of a link's history, newest first.");
export type ShareActivityConnection = InstanceType<typeof ShareActivityConnection>;

export function activityOf(event: ShareEvent): ShareActivity {
  const aggregated = AGGREGATED_KINDS.has(event.kind);
  return Object.assign(new ShareActivity(), {
    id: event.id,
    kind: event.kind,
    at: event.at,
    day: event.day,
    count: aggregated ? event.count : null,
    messageCount: aggregated ? null : event.count,
    newValue: event.newValue,
    reason: event.reason,
  });
}

@ObjectType({ description: "How many times a link was viewed on one UTC day." })
@Directive(PRIVATE)
export class DailyViews {
  @Field(() => String, { description: "The UTC day, YYYY-MM-DD." })
  day!: string;

  @Field(() => Int, { description: "Views that day; 0 on a day with none." })
  views!: number;
}

@ArgsType()
export class ViewsByDayArgs {
  @Field(() => Int, { defaultValue: 30, description: `How many UTC days, today included, 1 to ${VIEWS_BY_DAY_MAX}.` })
  @Min(1, { message: "days must be at least 1" })
  @Max(VIEWS_BY_DAY_MAX, { message: `days must be at most ${VIEWS_BY_DAY_MAX}` })
  days: number = 30;
}

@ObjectType({ description: "Whether a conversation is shared, for a badge in a conversation list." })
@Directive(PRIVATE)
export class ConversationSharing {
  @Field(() => Int, { description: "How many of its links work now (not revoked, expired or disabled)." })
  activeLinkCount!: number;

  @Field(() => DateTimeResolver, { nullable: true, description: "When a link to it was last created, working or not; null if it never was shared." })
  lastSharedAt!: Date | null;
}
