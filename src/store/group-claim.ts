/**
 * The fair claiming policy of grouped rows (docs/flow-control.md, "Group concurrency"), for
 * stores that run it step by step inside one atomic claim (memory, SQLite): start at the
 * first group after a rotating cursor, give each group its oldest claimable rows up to its
 * free slots (maxInFlight minus its rows IN_PROGRESS), move on to the next group (wrapping
 * around once), stop when the claim's limit is reached, every group was visited, or
 * {@link maxGroupVisits} groups were looked at. The cursor then names the last group
 * visited, so the next claim starts after it.
 *
 * Cost per claim: per group visited, one "next group" seek, one in-flight count (at most
 * maxInFlight rows) and one read of at most its free slots; nothing depends on how many rows
 * a group has waiting. PostgreSQL and Redis run the same policy in SQL and Lua.
 */

/** Groups looked at per claim at most: a claim stays bounded when many groups are full. */
export function maxGroupVisits(limit: number): number {
  return Math.max(64, 2 * limit);
}

export interface RoundRobinSource<Row> {
  readonly limit: number;
  /** Infinity for a type whose claim names no limit. */
  readonly maxInFlight: number;
  /** The last group served by the previous claim, or null. */
  readonly cursor: string | null;
  /** The smallest group key > `after` (any when null) with a claimable row, or null. */
  nextGroup(after: string | null): string | null;
  /** Rows of the group IN_PROGRESS now. */
  inFlight(group: string): number;
  /** The group's `n` oldest claimable rows (claimable now, ordering keys respected). */
  oldest(group: string, n: number): readonly Row[];
}

export function roundRobin<Row>(source: RoundRobinSource<Row>): { rows: Row[]; cursor: string | null } {
  const rows: Row[] = [];
  let cursor = source.cursor;
  let first: string | null = null;
  let wrapped = false;
  for (let visits = 0; rows.length < source.limit && visits < maxGroupVisits(source.limit); visits++) {
    let group = source.nextGroup(cursor);
    if (group === null) {
      if (wrapped || cursor === null) break;
      wrapped = true;
      group = source.nextGroup(null);
      if (group === null) break;
    }
    if (wrapped && first !== null && group >= first) break;
    first ??= group;
    cursor = group;
    const slots = Number.isFinite(source.maxInFlight) ? source.maxInFlight - source.inFlight(group) : Infinity;
    const free = Math.min(slots, source.limit - rows.length);
    if (free > 0) rows.push(...source.oldest(group, free));
  }
  return { rows, cursor };
}
