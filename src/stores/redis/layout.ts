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
    return this.#hash(eventId);
  }

  /**
   * Where a message row lives: its event's partition, or, for a row with a GROUP_KEY, the
   * group's partition (FNV-1a of the group key), so every row of a group shares one slot and
   * a claim script counts the group's rows in progress exactly (docs/redis.md, "Groups").
   */
  placementOf(message: {
    readonly eventId: string;
    readonly groupKey?: string | undefined;
    readonly failure?: string | undefined;
  }): number {
    return message.groupKey !== undefined && message.failure === undefined
      ? this.#hash(`g:${message.groupKey}`)
      : this.#hash(message.eventId);
  }

  /**
   * The partition a claim token names (`<partition>.<n>`, lua/claim.lua): where the claimed
   * row lives (a grouped row is not in its event's partition). Falls back to the event's
   * partition for a token this store never issued (the fenced write then finds nothing).
   */
  partitionOfLease(ref: { readonly eventId: string; readonly claimToken: string }): number {
    const dot = ref.claimToken.indexOf('.');
    const digits = dot > 0 ? ref.claimToken.slice(0, dot) : '';
    const p = /^\d{1,4}$/.test(digits) ? Number(digits) : -1;
    return p >= 0 && p < this.partitions ? p : this.partitionOf(ref.eventId);
  }

  #hash(text: string): number {
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
