// "Download my data": everything kept about the viewer, as one JSON document. The account's part is written here;
// every other module that keeps something about a user contributes its own part, given at construction, so this
// module names none of them.
import type { User } from "./user.entity";

export const EXPORT_FORMAT_VERSION = 1;

/** One module's part of the export: its key in the document, and what it keeps about the viewer. */
export interface DataExportPart {
  key: string;
  export(viewer: User, now: Date): Promise<unknown>;
}

export class DataExportService {
  /** `parts` in the order their keys appear in the document, after formatVersion and user. */
  constructor(private readonly parts: readonly DataExportPart[]) {}

  async export(viewer: User): Promise<Record<string, unknown>> {
    const now = new Date();
    const values = await Promise.all(this.parts.map((part) => part.export(viewer, now)));
    return {
      formatVersion: EXPORT_FORMAT_VERSION,
      user: { id: viewer.nodeId, email: viewer.email, displayName: viewer.displayName, role: viewer.role, createdAt: viewer.createdAt },
      ...Object.fromEntries(this.parts.map((part, i) => [part.key, values[i]])),
    };
  }
}
