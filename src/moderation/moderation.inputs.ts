import { Field, ID, InputType } from "type-graphql";
import { IsOptional, MaxLength } from "class-validator";
import { NodeId, IsNotBlank } from "../common/validation";
import { NodeType } from "../common/global-id";
import { LINK_MAX_LENGTH } from "../share/share-links";
import { REPORT_DETAILS_MAX_LENGTH, ReportReason } from "./report.entity";

export const DISABLED_REASON_MAX_LENGTH = 500;

@InputType({ description: "A report about a shared link; no login needed." })
export class ReportShareInput {
  @Field(() => String, { description: "The reported link: the full URL or just its token." })
  @MaxLength(LINK_MAX_LENGTH, { message: `link must be at most ${LINK_MAX_LENGTH} characters` })
  link!: string;

  @Field(() => ReportReason, { description: "Why you report it." })
  reason!: ReportReason;

  @Field(() => String, { nullable: true, description: `Anything moderators should know, at most ${REPORT_DETAILS_MAX_LENGTH} characters.` })
  @IsOptional()
  @MaxLength(REPORT_DETAILS_MAX_LENGTH, { message: `details must be at most ${REPORT_DETAILS_MAX_LENGTH} characters` })
  details?: string | null;
}

@InputType({ description: "A moderator's decision to disable a link." })
export class ModerateShareInput {
  @Field(() => ID, { description: "The share to disable." })
  @NodeId(NodeType.Share)
  shareId!: string;

  @Field(() => String, { description: `Why, in words its owner will read; 1 to ${DISABLED_REASON_MAX_LENGTH} characters.` })
  @IsNotBlank()
  @MaxLength(DISABLED_REASON_MAX_LENGTH, { message: `reason must be at most ${DISABLED_REASON_MAX_LENGTH} characters` })
  reason!: string;
}

@InputType({ description: "A moderator's decision to let a disabled link work again." })
export class ReenableShareInput {
  @Field(() => ID, { description: "The share to re-enable." })
  @NodeId(NodeType.Share)
  shareId!: string;

  @Field(() => String, { description: `Why, in words its owner will read in the link's activity; 1 to ${DISABLED_REASON_MAX_LENGTH} characters.` })
  @IsNotBlank()
  @MaxLength(DISABLED_REASON_MAX_LENGTH, { message: `reason must be at most ${DISABLED_REASON_MAX_LENGTH} characters` })
  reason!: string;
}
