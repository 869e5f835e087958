/**
 * Which offsets may be committed. Kafka keeps one committed offset per partition of a
 * group: committing offset n says "everything before n is done". So an ack only moves
 * the commit up to the first offset of the partition that is delivered but not yet
 * acknowledged; acks past it wait (and come again after a crash: the broker's feature
 * `redelivery: 'from-first-unacked'`).
 */
export class CommitTracker {
  /** partition key → offset → acknowledged? (only offsets delivered and not yet committed) */
  readonly #pending = new Map<string, Map<bigint, boolean>>();
  /** partition key → next offset to commit (everything below is committed or being committed). */
  readonly #committed = new Map<string, bigint>();

  delivered(partition: string, offset: bigint): void {
    const floor = this.#committed.get(partition);
    if (floor !== undefined && offset < floor) return; // a refetch of something already committed
    let offsets = this.#pending.get(partition);
    if (offsets === undefined) {
      offsets = new Map();
      this.#pending.set(partition, offsets);
    }
    if (!offsets.has(offset)) offsets.set(offset, false);
  }

  /**
   * Marks offsets acknowledged; returns, per partition whose commit point moved, the
   * offset to commit now (last contiguous acknowledged offset + 1).
   */
  acknowledged(acks: readonly { partition: string; offset: bigint }[]): Map<string, bigint> {
    const touched = new Set<string>();
    for (const { partition, offset } of acks) {
      const offsets = this.#pending.get(partition);
      if (offsets?.has(offset) === true) {
        offsets.set(offset, true);
        touched.add(partition);
      }
    }
    const commits = new Map<string, bigint>();
    for (const partition of touched) {
      const offsets = this.#pending.get(partition) as Map<bigint, boolean>;
      const sorted = [...offsets.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let next: bigint | undefined;
      for (const offset of sorted) {
        if (offsets.get(offset) !== true) break;
        offsets.delete(offset);
        next = offset + 1n;
      }
      if (next !== undefined) {
        this.#committed.set(partition, next);
        commits.set(partition, next);
      }
    }
    return commits;
  }

  /** Forgets a partition (revoked): its uncommitted offsets will be fetched again by its next owner. */
  forget(partition: string): void {
    this.#pending.delete(partition);
    this.#committed.delete(partition);
  }
}
