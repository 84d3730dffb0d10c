/** Groups rows by a key, keeping their order: a DataLoader batch function's usual last step. */
export function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** A batch size every database accepts as bound parameters in one IN (...). */
export const MAX_BATCH = 500;
