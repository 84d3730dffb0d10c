// Every migration per dialect, in order. The server applies pending ones at start; `npm run migrate` does it by hand.
import { Initial1764000000000 } from "./1764000000000-Initial";
import { ManagedSharing1764100000000 } from "./1764100000000-ManagedSharing";
import { IdempotencyKeys1764200000000 } from "./1764200000000-IdempotencyKeys";
import { ShareActivity1764400000000 } from "./1764400000000-ShareActivity";
import { PostgresInitial1764300000000 } from "./postgres/1764300000000-PostgresInitial";
import { PostgresShareActivity1764400000001 } from "./postgres/1764400000001-PostgresShareActivity";
import { ShareAudience1764410000000 } from "./1764410000000-ShareAudience";
import { PostgresShareAudience1764410000000 } from "./postgres/1764410000000-PostgresShareAudience";
import { Attachments1764600000000 } from "./1764600000000-Attachments";
import { PostgresAttachments1764600000001 } from "./postgres/1764600000001-PostgresAttachments";
import { ShareViewTotals1764700000000 } from "./1764700000000-ShareViewTotals";
import { PostgresShareViewTotals1764700000001 } from "./postgres/1764700000001-PostgresShareViewTotals";

export const migrations = {
  sqlite: [Initial1764000000000, ManagedSharing1764100000000, IdempotencyKeys1764200000000, ShareActivity1764400000000, ShareAudience1764410000000, Attachments1764600000000, ShareViewTotals1764700000000],
  // PostgreSQL support began with the schema above, so its history starts there; later changes get one of each.
  postgres: [PostgresInitial1764300000000, PostgresShareActivity1764400000001, PostgresShareAudience1764410000000, PostgresAttachments1764600000001, PostgresShareViewTotals1764700000001],
};
