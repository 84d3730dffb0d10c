// GraphQL shapes of the sensitive-data warnings that sharePreview, shareConversation and refreshShare return.
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { INHERIT } from "../common/cache-control";
import { SensitiveDataKind } from "./sensitive-data";
import type { OwnerWarning, RedactedRange } from "./redaction";

registerEnumType(SensitiveDataKind, {
  name: "SensitiveDataKind",
  description: "A kind of data people usually do not mean to publish.",
  valuesConfig: {
    EMAIL: { description: "An email address." },
    PHONE_NUMBER: { description: "A phone number." },
    PAYMENT_CARD: { description: "A payment card number (passes the Luhn check)." },
    API_KEY_OR_SECRET: { description: "An API key, access token, private key or labelled password." },
    IP_ADDRESS: { description: "An IPv4 or IPv6 address." },
    IBAN: { description: "A bank account number (IBAN with a valid checksum)." },
  },
});

@ObjectType({ description: "Something in a snapshot that looks sensitive, so a client can warn before or right after sharing." })
export class SensitiveDataWarning implements OwnerWarning {
  @Field(() => SensitiveDataKind, { description: "What it looks like." })
  kind!: SensitiveDataKind;

  @Field(() => Int, { description: "0-based index of the message in the snapshot's messages." })
  messageIndex!: number;

  @Field(() => ID, { description: "The message (a Message id of your conversation): pass it back in a RedactionSpanInput to hide this range." })
  messageId!: string;

  @Field(() => Int, {
    description: "Start of the range in your message's content, as you wrote it (not in the masked snapshot): UTF-16 code units, inclusive.",
  })
  start!: number;

  @Field(() => Int, { description: "End of the range in your message's content (UTF-16 code units, exclusive)." })
  end!: number;

  @Field(() => Boolean, { description: "Whether the snapshot (or the preview) hides all of this range behind a placeholder." })
  redacted!: boolean;
}

@ObjectType({ description: "A placeholder in a shared message's content that stands for text its owner hid before sharing.", simpleResolvers: true })
@Directive(INHERIT)
export class RedactedSpan implements RedactedRange {
  @Field(() => Int, { description: "Start of the placeholder in the shared content (UTF-16 code units, inclusive)." })
  start!: number;

  @Field(() => Int, { description: "End of the placeholder in the shared content (UTF-16 code units, exclusive)." })
  end!: number;

  @Field(() => SensitiveDataKind, { nullable: true, description: "What was hidden, as the owner or the detector named it; null for a range the owner hid without naming it." })
  kind!: SensitiveDataKind | null;
}
