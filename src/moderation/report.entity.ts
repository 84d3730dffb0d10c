import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { PRIVATE } from "../common/cache-control";
import { DateTimeResolver } from "graphql-scalars";
import { Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { Rule } from "../auth/rules";
import { NodeType, toGlobalId } from "../common/global-id";
import { Node } from "../node/node.interface";
import { Share } from "../share/share.entity";

export const REPORT_DETAILS_MAX_LENGTH = 2000;

export enum ReportReason {
  SPAM = "SPAM",
  HARASSMENT = "HARASSMENT",
  HATE = "HATE",
  SEXUAL_CONTENT = "SEXUAL_CONTENT",
  VIOLENCE = "VIOLENCE",
  SELF_HARM = "SELF_HARM",
  PERSONAL_INFORMATION = "PERSONAL_INFORMATION",
  ILLEGAL = "ILLEGAL",
  OTHER = "OTHER",
}
registerEnumType(ReportReason, {
  name: "ReportReason",
  description: "Why someone reports a shared link.",
  valuesConfig: {
    SPAM: { description: "Spam or scams." },
    HARASSMENT: { description: "Harassment or bullying." },
    HATE: { description: "Hateful content." },
    SEXUAL_CONTENT: { description: "Sexual content." },
    VIOLENCE: { description: "Violent or graphic content." },
    SELF_HARM: { description: "Self-harm or suicide." },
    PERSONAL_INFORMATION: { description: "Someone's personal information is exposed." },
    ILLEGAL: { description: "Illegal content." },
    OTHER: { description: "Something else; say what in details." },
  },
});

@ObjectType({ implements: Node, description: "A report that a shared link breaks the rules. Only moderators (ADMIN) can read reports." })
@Authorized(Rule.ADMIN)
@Directive(PRIVATE)
@Entity({ name: "share_reports" })
export class ShareReport {
  @IdColumn()
  id!: string;

  @Field(() => ID, { name: "id", description: "Opaque id of the report." })
  get nodeId(): string {
    return toGlobalId(NodeType.ShareReport, this.id);
  }

  @Index("share_reports_share_id_idx")
  @RefColumn("share_id")
  shareId!: string;

  @Field(() => ID, { name: "shareId", description: "Id of the reported share, as moderateShare takes it." })
  get shareNodeId(): string {
    return toGlobalId(NodeType.Share, this.shareId);
  }

  @ManyToOne(() => Share, { onDelete: "CASCADE" })
  @JoinColumn({ name: "share_id", foreignKeyConstraintName: "share_reports_share_id_fkey" })
  share?: never;

  /** Who reported, when signed in; kept for abuse handling, never shown. */
  @RefColumn("reporter_id", { nullable: true })
  reporterId!: string | null;

  @Field(() => ReportReason, { description: "The reporter's reason." })
  @Column({ type: "varchar", length: 32 })
  reason!: ReportReason;

  @Field(() => String, { nullable: true, description: "What the reporter added in their own words." })
  @Column({ type: "varchar", length: REPORT_DETAILS_MAX_LENGTH, nullable: true })
  details!: string | null;

  @Field(() => DateTimeResolver, { description: "When the report was filed." })
  @TimestampColumn("created_at")
  createdAt!: Date;
}
