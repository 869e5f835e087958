/**
 * The key layout (docs/redis.md has the full table and the memory per event).
 *
 * Glossary
 * - **partition**: a slice of every table, named by the hash tag `{<keyPrefix>:<n>}`, so all
 *   its keys share one Redis Cluster slot. A message's partition is `fnv1a(EVENT_ID) mod
 *   partitions`: an event's rows, payload and working data live together, which makes
 *   claim-with-payload and complete-with-same-event-emits single-slot scripts.
 * - **base**: the hash tag string `{<keyPrefix>:<n>}` every key of the partition starts with.
 * - **row id**: `<MESSAGE_TYPE>:<EVENT_ID>` (message type names never contain `:`).
 * - **key partition**: a row with an ORDERING_KEY lives in `fnv1a(ORDERING_KEY) mod
 *   partitions` instead, with its payload copy and its key's FIFO (lua/includes/ordering.lua),
 *   so claim and complete of a key's rows stay single-slot scripts. Event-wide lookups
 *   (payload, list/count/re-drive by EVENT_ID) therefore ask every partition.
 * - **outbox**: the partition's `:o` hash of emits and working-data writes for other
 *   partitions, written atomically with a completion and relayed right after (cluster only).
 */
export class KeyLayout {
  readonly bases: readonly string[];
  /** The `:n` (counts) key of each partition: the key scripts are routed by. */
  readonly routeKeys: readonly string[];

  constructor(
    readonly prefix: string,
    readonly partitions: number,
  ) {
    this.bases = Array.from({ length: partitions }, (_, p) => `{${prefix}:${p}}`);
    this.routeKeys = this.bases.map((b) => `${b}:n`);
  }

  /** The partition of an event: FNV-1a over the UTF-8 bytes of EVENT_ID, mod partitions. */
  partitionOf(eventId: string): number {
    return this.#fnv(eventId);
  }

  /**
   * Where a message row lives: for a row with a GROUP_KEY, the group's partition (FNV-1a of
   * `g:<group key>`), so every row of a group shares one slot and a claim script counts the
   * group's rows in progress exactly (docs/redis.md, "Groups"); else, for a row with an
   * ORDERING_KEY, its key's partition, next to its key's FIFO ("Ordering keys"); else its
   * event's. A row written FAILED (`failure`) goes to its event's partition.
   */
  placementOf(message: {
    readonly eventId: string;
    readonly orderingKey?: string | undefined;
    readonly groupKey?: string | undefined;
    readonly failure?: string | undefined;
  }): number {
    if (message.failure !== undefined) return this.#fnv(message.eventId);
    if (message.groupKey !== undefined) return this.#fnv(`g:${message.groupKey}`);
    if (message.orderingKey !== undefined) return this.#fnv(message.orderingKey);
    return this.#fnv(message.eventId);
  }

  /**
   * The partition a claim token names (`<partition>.<batch>.<j>`, lua/claim.lua): where the claimed
   * row lives (a keyed or grouped row is not in its event's partition). Falls back to the
   * event's partition for a token this store never issued (the fenced write then finds
   * nothing).
   */
  partitionOfLease(ref: { readonly eventId: string; readonly claimToken: string }): number {
    const dot = ref.claimToken.indexOf('.');
    const digits = dot > 0 ? ref.claimToken.slice(0, dot) : '';
    const p = /^\d{1,4}$/.test(digits) ? Number(digits) : -1;
    return p >= 0 && p < this.partitions ? p : this.#fnv(ref.eventId);
  }

  /** Every partition, the event's own first (where its unkeyed, ungrouped rows are). */
  partitionsForEvent(eventId: string): number[] {
    const own = this.#fnv(eventId);
    return [own, ...this.bases.map((_, p) => p).filter((p) => p !== own)];
  }

  #fnv(text: string): number {
    if (this.partitions === 1) return 0;
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(text, 'utf8')) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % this.partitions;
  }

  base(partition: number): string {
    return this.bases[partition] as string;
  }

  routeKey(partition: number): string {
    return this.routeKeys[partition] as string;
  }

  payloadKey(eventId: string): string {
    return `${this.base(this.partitionOf(eventId))}:p:${eventId}`;
  }

  eventKey(eventId: string): string {
    return `${this.base(this.partitionOf(eventId))}:e:${eventId}`;
  }

  outboxKey(partition: number): string {
    return `${this.base(partition)}:o`;
  }

  /** Records the partition count once; every process sharing the data must agree. */
  get layoutKey(): string {
    return `{${this.prefix}:layout}`;
  }

  /** Wake-up channel of a table (PUBLISH from scripts reaches every node of a cluster). */
  wakePrefix(): string {
    return `${this.prefix}:wake:`;
  }
}
