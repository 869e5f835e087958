/**
 * Writes addressed to known rows: publish, heartbeat, complete (with emits and working
 * data), fail and release. Requests are grouped by partition: on a single server one script
 * call carries every partition; on Redis Cluster one call per partition, all sent at once.
 *
 * Cross-partition effects of a completion on Redis Cluster (an emit or working data of an
 * event in another slot) go to the completing partition's outbox in the same script as the
 * completion, so they are fenced and atomic with it; `relay` then writes them to their own
 * partitions (idempotent publish, HSET) and deletes them from the outbox. A crash between
 * the two leaves them in the outbox until the next `reapExpiredLeases` relays them.
 */
import type {
  CompleteRequest,
  FailRequest,
  LeaseOutcome,
  LeaseRef,
  NewMessage,
  PublishResult,
  WorkingDataWrite,
} from '../../store/port.js';
import {
  asArray,
  asNumber,
  asOutcomes,
  asStatus,
  batchTagger,
  isSameEventFollowUp,
  messageArgs,
  type Arg,
} from './codec.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './layout.js';

/** Largest number of messages or requests in one script call (keeps each call short). */
const CHUNK = 500;
/** A follow-up row placed away from its event's partition (keyed or grouped) needs a payload copy. */
const needsPayloadCopy = (m: NewMessage): boolean =>
  m.payload === undefined && m.failure === undefined && (m.orderingKey !== undefined || m.groupKey !== undefined);

/** The publish script's status for a message whose event already has a different payload. */
const PAYLOAD_CONFLICT = 'PAYLOAD_CONFLICT';

interface Group<T> {
  readonly partitions: readonly number[];
  readonly items: readonly { readonly item: T; readonly index: number }[];
}

/** What a completion leaves in the outbox for other partitions (cluster only). */
export type OutboxEntry =
  { readonly k: 'm'; readonly m: NewMessage } | { readonly k: 'w'; readonly w: WorkingDataWrite };

export interface StoreSettings {
  readonly retainCompletedMs: number;
  readonly retainCompletedPerPartition: number;
  readonly priorityAgingStepMs: number;
}

export class RowWrites {
  constructor(
    private readonly conn: RedisConnection,
    private readonly layout: KeyLayout,
    private readonly settings: StoreSettings,
  ) {}

  /** Items grouped by partition (cluster) or all in chunks (single server), with their input index. */
  group<T>(items: readonly T[], partitionOf: (item: T) => number): Group<T>[] {
    const groups = new Map<number, { item: T; index: number }[]>();
    items.forEach((item, index) => {
      const p = this.conn.cluster ? partitionOf(item) : 0;
      const list = groups.get(p) ?? [];
      list.push({ item, index });
      groups.set(p, list);
    });
    const out: Group<T>[] = [];
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i += CHUNK) {
        const chunk = list.slice(i, i + CHUNK);
        const partitions = [...new Set(chunk.map(({ item }) => partitionOf(item)))];
        out.push({ partitions, items: chunk });
      }
    }
    return out;
  }

  #keys(partitions: readonly number[]): string[] {
    return partitions.map((p) => this.layout.routeKey(p));
  }

  /**
   * A keyed or grouped message without a payload (a follow-up of an existing event) lands in
   * its key's or group's partition (layout.placementOf), which may hold no copy of the
   * event's payload: it gets the event's payload
   * here, read from `near` (the partition of the row being completed) or else wherever the
   * event has one. Messages that need nothing are returned as they are (no read).
   */
  async withKeyedPayloads(messages: readonly NewMessage[], near?: ReadonlyMap<string, number>): Promise<NewMessage[]> {
    const needs = messages.filter(needsPayloadCopy);
    if (needs.length === 0) return messages as NewMessage[];
    const found = new Map<string, string | null>();
    await Promise.all(
      [...new Set(needs.map((m) => m.eventId))].map(async (eventId) => {
        found.set(eventId, await this.#payloadOf(eventId, near?.get(eventId)));
      }),
    );
    return messages.map((m) => {
      const payload = needsPayloadCopy(m) ? found.get(m.eventId) : undefined;
      return payload === undefined || payload === null ? m : { ...m, payload };
    });
  }

  /** The base of the partition a message row lives in (layout.placementOf). */
  #placed(message: NewMessage): string {
    return this.layout.base(this.layout.placementOf(message));
  }

  /** The base of the partition a held row lives in (its claim token names it). */
  #held(ref: LeaseRef): string {
    return this.layout.base(this.layout.partitionOfLease(ref));
  }

  /** The event's payload: from `first` (or the event's partition), else from any partition. */
  async #payloadOf(eventId: string, first = this.layout.partitionOf(eventId)): Promise<string | null> {
    const get = (p: number): Promise<string | null> =>
      this.conn.run('payload of keyed follow-up', (c) => c.get(`${this.layout.base(p)}:p:${eventId}`));
    const own = await get(first);
    if (own !== null) return own;
    const others = this.layout.partitionsForEvent(eventId).filter((p) => p !== first);
    return (await Promise.all(others.map(get))).find((v) => v !== null) ?? null;
  }

  async publish(given: readonly NewMessage[]): Promise<PublishResult[]> {
    const messages =
      this.layout.partitions > 1 && given.some(needsPayloadCopy) ? await this.withKeyedPayloads(given) : given;
    const results: PublishResult[] = new Array<PublishResult>(messages.length);
    const groups = this.group(messages, (m) => this.layout.placementOf(m));
    // A batch split over cluster partitions: one Redis TIME and one order for all its calls.
    const split = this.conn.cluster && groups.length > 1;
    const tag = split ? batchTagger() : undefined;
    const callNow = split ? await this.#redisTime() : '';
    await Promise.all(
      groups.map(async (g) => {
        const args: Arg[] = [this.layout.wakePrefix(), callNow, g.items.length];
        for (const { item, index } of g.items) {
          args.push(
            ...messageArgs(
              this.#placed(item),
              item,
              this.settings.priorityAgingStepMs,
              tag === undefined ? '' : tag(index),
            ),
          );
        }
        const reply = asArray(await this.conn.script('publish', this.#keys(g.partitions), args), 'publish');
        g.items.forEach(({ item, index }, i) => {
          const { eventId, messageType } = item;
          results[index] =
            reply[i * 2 + 1] === PAYLOAD_CONFLICT
              ? { eventId, messageType, created: false, status: null, conflict: 'payload' }
              : {
                  eventId,
                  messageType,
                  created: asNumber(reply[i * 2], 'created') === 1,
                  status: asStatus(reply[i * 2 + 1]),
                };
        });
      }),
    );
    return results;
  }

  async #redisTime(): Promise<number> {
    const [seconds, micros] = await this.conn.run('time', (c) => c.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /** Runs a fenced per-lease script over refs grouped by partition; outcomes in input order. */
  async #fenced<T>(
    items: readonly T[],
    refOf: (item: T) => LeaseRef,
    script: 'heartbeat' | 'fail' | 'release',
    head: readonly Arg[],
    argsOf: (item: T, base: string) => Arg[],
  ): Promise<LeaseOutcome[]> {
    const outcomes: LeaseOutcome[] = new Array<LeaseOutcome>(items.length);
    const groups = this.group(items, (item) => this.layout.partitionOfLease(refOf(item)));
    await Promise.all(
      groups.map(async (g) => {
        const args: Arg[] = [...head, g.items.length];
        for (const { item } of g.items) args.push(...argsOf(item, this.#held(refOf(item))));
        const reply = asOutcomes(await this.conn.script(script, this.#keys(g.partitions), args), g.items.length);
        g.items.forEach(({ index }, i) => (outcomes[index] = reply[i] as LeaseOutcome));
      }),
    );
    return outcomes;
  }

  heartbeat(refs: readonly LeaseRef[], leaseMs: number): Promise<LeaseOutcome[]> {
    return this.#fenced(
      refs,
      (r) => r,
      'heartbeat',
      [Math.max(0, Math.floor(leaseMs))],
      (r, base) => [base, r.messageType, r.eventId, r.claimToken],
    );
  }

  fail(requests: readonly FailRequest[]): Promise<LeaseOutcome[]> {
    return this.#fenced(
      requests,
      (r) => r.ref,
      'fail',
      [],
      (r, base) => [
        base,
        r.ref.messageType,
        r.ref.eventId,
        r.ref.claimToken,
        r.updatedBy,
        r.error,
        r.retryDelayMs === null ? '' : Math.max(0, Math.floor(r.retryDelayMs)),
      ],
    );
  }

  release(refs: readonly LeaseRef[], updatedBy: string, delayMs = 0): Promise<LeaseOutcome[]> {
    return this.#fenced(
      refs,
      (r) => r,
      'release',
      [this.layout.wakePrefix(), updatedBy, Math.max(0, Math.floor(delayMs))],
      (r, base) => [base, r.messageType, r.eventId, r.claimToken],
    );
  }

  async complete(given: readonly CompleteRequest[]): Promise<LeaseOutcome[]> {
    // One partition holds every payload: nothing to copy.
    const needsPayload = (r: CompleteRequest): boolean => this.layout.partitions > 1 && r.emits.some(needsPayloadCopy);
    const requests = !given.some(needsPayload)
      ? given
      : await Promise.all(
          given.map(async (r) => {
            if (!needsPayload(r)) return r;
            const near = new Map([[r.ref.eventId, this.layout.partitionOfLease(r.ref)]]);
            return { ...r, emits: await this.withKeyedPayloads(r.emits, near) };
          }),
        );
    const outcomes: LeaseOutcome[] = new Array<LeaseOutcome>(requests.length);
    const groups = this.group(requests, (r) => this.layout.partitionOfLease(r.ref));
    const { retainCompletedMs, retainCompletedPerPartition } = this.settings;
    await Promise.all(
      groups.map(async (g) => {
        const first = g.items[0]?.item;
        const usualBase = first === undefined ? '' : this.#held(first.ref);
        const usualBy = first?.updatedBy ?? '';
        const args: Arg[] = [
          this.layout.wakePrefix(),
          retainCompletedMs,
          retainCompletedPerPartition,
          g.items.length,
          usualBase,
          usualBy,
        ];
        const touched = new Set(g.partitions);
        // The common completion (the usual partition and updatedBy, no emits, no working
        // data) goes as its row id and claim token in a run of its type; the others follow,
        // in full. The reply follows the same order: `order` maps it back to the items.
        type Item = (typeof g.items)[number];
        const plain = new Map<string, Item[]>();
        const others: Item[] = [];
        for (const entry of g.items) {
          const { item } = entry;
          const usual =
            item.emits.length === 0 &&
            item.workingData.length === 0 &&
            item.updatedBy === usualBy &&
            this.#held(item.ref) === usualBase;
          if (!usual) others.push(entry);
          else {
            const run = plain.get(item.ref.messageType);
            if (run === undefined) plain.set(item.ref.messageType, [entry]);
            else run.push(entry);
          }
        }
        const order: Item[] = [];
        args.push(plain.size);
        for (const [type, run] of plain) {
          args.push(type, run.length);
          for (const { item } of run) args.push(`${type}:${item.ref.eventId}`, item.ref.claimToken);
          order.push(...run);
        }
        const outboxes: { partition: number; fields: string[]; entries: OutboxEntry[] }[] = [];
        for (const entry of others) {
          order.push(entry);
          const { item } = entry;
          const home = this.layout.partitionOfLease(item.ref);
          const outbox = { partition: home, fields: [] as string[], entries: [] as OutboxEntry[] };
          outboxes.push(outbox);
          const { ref } = item;
          args.push(
            ref.messageType,
            ref.eventId,
            ref.claimToken,
            this.layout.base(home),
            item.updatedBy,
            item.emits.length,
            item.workingData.length,
          );
          for (const emit of item.emits) {
            const target = this.layout.placementOf(emit);
            if (this.conn.cluster && target !== home) {
              const entry: OutboxEntry = { k: 'm', m: emit };
              const field = `m|${emit.eventId}|${emit.messageType}`;
              outbox.fields.push(field);
              outbox.entries.push(entry);
              args.push('o', field, JSON.stringify(entry));
            } else {
              touched.add(target);
              if (target === home && isSameEventFollowUp(emit, ref.eventId)) {
                args.push('s', emit.messageType, emit.table, emit.maxAttempts, emit.createdBy);
              } else {
                args.push('d', ...messageArgs(this.layout.base(target), emit, this.settings.priorityAgingStepMs));
              }
            }
          }
          for (const write of item.workingData) {
            const target = this.layout.partitionOf(write.eventId);
            if (this.conn.cluster && target !== home) {
              const entry: OutboxEntry = { k: 'w', w: write };
              const field = `w|${write.eventId}|${write.name}`;
              outbox.fields.push(field);
              outbox.entries.push(entry);
              args.push('o', field, JSON.stringify(entry));
            } else {
              touched.add(target);
              // Working data of the completed row's own event, in its partition: 'e', name, value.
              if (target === home && write.eventId === ref.eventId) args.push('e', write.name, write.value);
              else args.push('d', this.layout.base(target), write.eventId, write.name, write.value);
            }
          }
        }
        const reply = asOutcomes(await this.conn.script('complete', this.#keys([...touched]), args), g.items.length);
        order.forEach(({ index }, k) => (outcomes[index] = reply[k] as LeaseOutcome));
        const firstOther = order.length - others.length;
        const toRelay = outboxes.filter((o, i) => reply[firstOther + i] === 'ok' && o.fields.length > 0);
        await Promise.all(toRelay.map((o) => this.relay(o.partition, o.fields, o.entries)));
      }),
    );
    return outcomes;
  }

  /** Writes outbox entries to their own partitions, then deletes them from the outbox. */
  async relay(partition: number, fields: readonly string[], entries: readonly OutboxEntry[]): Promise<void> {
    const messages = entries.flatMap((e) => (e.k === 'm' ? [e.m] : []));
    const writes = entries.flatMap((e) => (e.k === 'w' ? [e.w] : []));
    await Promise.all([
      messages.length > 0 ? this.publish(messages) : undefined,
      ...writes.map((w) =>
        this.conn.run('relay working data', (c) => c.hset(this.layout.eventKey(w.eventId), `w:${w.name}`, w.value)),
      ),
    ]);
    await this.conn.run('outbox cleanup', (c) => c.hdel(this.layout.outboxKey(partition), ...fields));
  }

  /** Crash recovery: relays what completions left in outboxes (cluster only). Returns entries relayed. */
  async relayPending(maxPerPartition: number): Promise<number> {
    if (!this.conn.cluster) return 0;
    let relayed = 0;
    await Promise.all(
      this.layout.bases.map(async (_, partition) => {
        const [, flat] = await this.conn.run('outbox scan', (c) =>
          c.hscan(this.layout.outboxKey(partition), '0', 'COUNT', maxPerPartition),
        );
        if (flat.length === 0) return;
        const fields: string[] = [];
        const entries: OutboxEntry[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          fields.push(flat[i] as string);
          entries.push(JSON.parse(flat[i + 1] as string) as OutboxEntry);
        }
        await this.relay(partition, fields, entries);
        relayed += fields.length;
      }),
    );
    return relayed;
  }
}
