import { ArgsType, Field, ID, InputType } from "type-graphql";
import { MaxLength } from "class-validator";
import { IsEntityId } from "../common/validation";
import { ShareAttribution } from "./share.entity";
import { LINK_MAX_LENGTH } from "./share-links";

const LINK_DESCRIPTION = "A share link: the full URL (it must start with this server's share prefix) or just its token.";

@ArgsType()
export class SharedConversationArgs {
  @Field(() => String, { description: LINK_DESCRIPTION })
  @MaxLength(LINK_MAX_LENGTH, { message: `link must be at most ${LINK_MAX_LENGTH} characters` })
  link!: string;
}

@InputType({ description: "Which conversation to share, and whether to show your name." })
export class ShareConversationInput {
  @Field(() => ID, { description: "One of your conversations." })
  @IsEntityId()
  conversationId!: string;

  @Field(() => ShareAttribution, {
    nullable: true,
    defaultValue: ShareAttribution.ANONYMOUS,
    description: "Whether viewers see your display name; ANONYMOUS when omitted or null.",
  })
  attribution?: ShareAttribution | null;
}

@InputType({ description: "Show or hide your name on an existing link." })
export class SetShareAttributionInput {
  @Field(() => ID, { description: "One of your shares." })
  @IsEntityId()
  shareId!: string;

  @Field(() => ShareAttribution, { description: "The new attribution; takes effect at once on the same URL." })
  attribution!: ShareAttribution;
}

@InputType({ description: "The link to turn off." })
export class RevokeShareInput {
  @Field(() => ID, { description: "One of your shares." })
  @IsEntityId()
  shareId!: string;
}

@InputType({ description: "A shared link to copy into your own history." })
export class ImportShareInput {
  @Field(() => String, { description: LINK_DESCRIPTION })
  @MaxLength(LINK_MAX_LENGTH, { message: `link must be at most ${LINK_MAX_LENGTH} characters` })
  link!: string;
}
