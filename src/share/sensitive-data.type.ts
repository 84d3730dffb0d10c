// GraphQL shapes of the sensitive-data warnings that sharePreview, shareConversation and refreshShare return.
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { SensitiveDataKind, type SensitiveDataWarning as Warning } from "./sensitive-data";

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
export class SensitiveDataWarning implements Warning {
  @Field(() => SensitiveDataKind, { description: "What it looks like." })
  kind!: SensitiveDataKind;

  @Field(() => Int, { description: "0-based index of the message in the snapshot's messages." })
  messageIndex!: number;

  @Field(() => Int, { description: "Start of the range in the message's content (UTF-16 code units, inclusive)." })
  start!: number;

  @Field(() => Int, { description: "End of the range in the message's content (UTF-16 code units, exclusive)." })
  end!: number;
}
