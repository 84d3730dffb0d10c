/** Groups rows by a key, keeping their order: a DataLoader batch function's usual last step. */
export function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  let lastKey: string | undefined;
  let last: T[] = [];
  for (const row of rows) {
    const k = key(row);
    // Rows mostly come ordered by their key (a list's messages by conversation): comparing with the previous key
    // spares hashing every row's freshly read key string.
    if (k !== lastKey) {
      lastKey = k;
      const group = groups.get(k);
      if (group) last = group;
      else groups.set(k, (last = []));
    }
    last.push(row);
  }
  return groups;
}

/** A batch size every database accepts as bound parameters in one IN (...). */
export const MAX_BATCH = 500;
