import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { connectionOf } from "../common/connection";
import { ShareStatus } from "../share/share.entity";
import { ShareReport } from "./report.entity";

export const ShareReportConnection = connectionOf(ShareReport, "ShareReport", "A page of reports, newest first.");
export type ShareReportConnection = InstanceType<typeof ShareReportConnection>;

@ObjectType({ description: "Result of reportShare." })
export class ReportSharePayload {
  @Field(() => ID, { description: "Identifier of the report, to quote if you contact the moderators." })
  reportId!: string;
}

@ObjectType({ description: "Result of moderateShare." })
export class ModerateSharePayload {
  @Field(() => ID, { description: "The share that was disabled." })
  shareId!: string;

  @Field(() => DateTimeResolver, { description: "When it was disabled (the first time, if it already was)." })
  disabledAt!: Date;

  @Field(() => String, { description: "The reason its owner sees." })
  disabledReason!: string;
}

@ObjectType({ description: "Result of reenableShare." })
export class ReenableSharePayload {
  @Field(() => ID, { description: "The share that was re-enabled." })
  shareId!: string;

  @Field(() => ShareStatus, { description: "Whether it works now: ACTIVE, unless its owner revoked it or it expired meanwhile." })
  status!: ShareStatus;
}
