/**
 * Which offsets may be committed. Kafka keeps one committed offset per partition of a
 * group: committing offset n says "everything before n is done". So an ack only moves
 * the commit up to the first offset of the partition that is delivered but not yet
 * acknowledged; acks past it wait (and come again after a crash: the broker's feature
 * `redelivery: 'from-first-unacked'`).
 */
export class CommitTracker<T> {
  /** partition key → offset → its item and whether it is acknowledged (delivered, not yet committed). */
  readonly #pending = new Map<string, Map<bigint, { item: T; acked: boolean }>>();
  /** partition key → next offset to commit (everything below is committed or being committed). */
  readonly #committed = new Map<string, bigint>();

  delivered(partition: string, offset: bigint, item: T): void {
    const floor = this.#committed.get(partition);
    if (floor !== undefined && offset < floor) return; // a refetch of something already committed
    let offsets = this.#pending.get(partition);
    if (offsets === undefined) {
      offsets = new Map();
      this.#pending.set(partition, offsets);
    }
    if (!offsets.has(offset)) offsets.set(offset, { item, acked: false });
  }

  /**
   * Marks offsets acknowledged; returns, per partition whose commit point moved, the item
   * of the last contiguous acknowledged offset (commit its offset + 1).
   */
  acknowledged(acks: readonly { partition: string; offset: bigint }[]): Map<string, { offset: bigint; item: T }> {
    const touched = new Set<string>();
    for (const { partition, offset } of acks) {
      const entry = this.#pending.get(partition)?.get(offset);
      if (entry !== undefined) {
        entry.acked = true;
        touched.add(partition);
      }
    }
    const commits = new Map<string, { offset: bigint; item: T }>();
    for (const partition of touched) {
      const offsets = this.#pending.get(partition);
      if (offsets === undefined) continue;
      const sorted = [...offsets.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let last: { offset: bigint; item: T } | undefined;
      for (const offset of sorted) {
        const entry = offsets.get(offset);
        if (entry?.acked !== true) break;
        offsets.delete(offset);
        last = { offset, item: entry.item };
      }
      if (last !== undefined) {
        this.#committed.set(partition, last.offset + 1n);
        commits.set(partition, last);
      }
    }
    return commits;
  }
}
