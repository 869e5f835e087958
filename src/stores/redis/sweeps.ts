/**
 * Operations that walk partitions: claim, promotion of due retries, reaping of expired
 * leases, re-drive and purge.
 *
 * On a single server one script call covers every partition (it may touch any key), so a
 * claim merges the partitions' ready indexes server-side and takes the oldest rows in one
 * round trip. On Redis Cluster a script sees one slot: a claim first peeks at each
 * partition's oldest due rows (read-only script, all partitions at once), picks each
 * partition's share of the globally oldest `limit`, then claims those shares (all at once):
 * two round trips, oldest-first across the cluster. Limited sweeps (promote, reap, purge)
 * visit partitions one after the other from a rotating start until the limit is spent.
 */
import { ErrorCode } from '../../core/errors.js';
import type { ClaimedMessage, ClaimRequest, PurgeRequest, ReapRequest, RowFilter } from '../../store/port.js';
import { REDRIVABLE, TERMINAL } from '../../core/status.js';
import { asArray, asNumber, asText, byteCompare, decodeClaimed, type Arg } from './codec.js';
import type { RedisConnection, ScriptName } from './connection.js';
import type { KeyLayout } from './layout.js';
import type { Logger } from '../../processing/logger.js';

/** Rows moved per re-drive script call; the store calls again while a call moves this many. */
const REDRIVE_CHUNK = 1000;

/** Payload keys read per MGET after a claim. */
const PAYLOAD_CHUNK = 1000;

export class PartitionSweeps {
  #rotation = 0;

  constructor(
    private readonly conn: RedisConnection,
    private readonly layout: KeyLayout,
    private readonly logger: Logger,
  ) {}

  /**
   * Logs each row the claim script set aside as corrupt: once, when it happens. `row` is
   * `<partition base> <row id>`: the row's field in the partition's `:r` hash (its raw text
   * is kept in `:rx`).
   */
  #reportSetAside(rows: readonly string[]): void {
    for (const row of rows) {
      this.logger.warn({ row }, 'redis store: corrupt row set aside as FAILED (EY_ROW_CORRUPT)');
    }
  }

  /**
   * The claimed rows with their payloads, read with one MGET (per 1,000 rows) from the
   * partition each row lives in (its claim token names it): the rows of one claim call
   * share a slot on a cluster. A payload read here goes to the client as it is; read by the
   * claim script it would be copied into Lua and out again, which only a claim of a few rows
   * does (its reply then holds them, lua/claim.lua).
   */
  async #withPayloads(rows: ClaimedMessage[]): Promise<ClaimedMessage[]> {
    if (rows.length === 0) return rows;
    const keys = rows.map((r) => `${this.layout.base(this.layout.partitionOfLease(r))}:p:${r.eventId}`);
    const payloads: (string | null)[] = [];
    for (let i = 0; i < keys.length; i += PAYLOAD_CHUNK) {
      const chunk = keys.slice(i, i + PAYLOAD_CHUNK);
      payloads.push(...(await this.conn.run('claim payloads', (c) => c.mget(...chunk))));
    }
    // The rows are this call's own (decodeClaimed made them): filled in place, not copied.
    rows.forEach((r, i) => ((r as { payload: string | null }).payload = payloads[i] ?? null));
    return rows;
  }

  async claim(request: ClaimRequest): Promise<ClaimedMessage[]> {
    if (request.limit <= 0 || request.messageTypes.length === 0) return [];
    const types = [...new Set(request.messageTypes)];
    const tail: Arg[] = [request.owner, request.updatedBy, Math.max(1, Math.floor(request.leaseMs))];
    const typeArgs: Arg[] = [types.length];
    for (const t of types) typeArgs.push(t, request.groups?.[t]?.maxInFlight ?? -1);
    const claimFrom = async (
      partitions: readonly number[],
      limit: number,
      mode: 'all' | 'groups' | 'plain',
    ): Promise<ClaimedMessage[]> => {
      const { claimed, setAside, payloads } = decodeClaimed(
        await this.conn.script(
          'claim',
          partitions.map((p) => this.layout.routeKey(p)),
          [request.table, limit, ...tail, mode, ...typeArgs],
        ),
      );
      this.#reportSetAside(setAside);
      return payloads ? claimed : this.#withPayloads(claimed);
    };
    const all = this.layout.bases.map((_, p) => p);
    if (!this.conn.cluster || all.length === 1) return claimFrom(all, request.limit, 'all');

    const peeks = await Promise.all(
      all.map(async (p) => {
        const reply = await this.conn.script(
          'peekReady',
          [this.layout.routeKey(p)],
          [request.table, request.limit, types.length, ...types],
        );
        const flat = asArray(reply, 'peek');
        const grouped = asNumber(flat[0], 'grouped') === 1;
        const due: { p: number; score: number; member: string }[] = [];
        for (let i = 1; i + 1 < flat.length; i += 2) {
          due.push({ p, score: asNumber(flat[i], 'score'), member: asText(flat[i + 1], 'member') });
        }
        return { p, grouped, due };
      }),
    );
    // Grouped rows first: the partitions holding groups of these types, one after the other
    // from a rotating start, until the limit is spent (each group lives in one partition).
    const groupedRows: ClaimedMessage[] = [];
    const withGroups = peeks.filter((x) => x.grouped).map((x) => x.p);
    const start = withGroups.length === 0 ? 0 : this.#rotation++ % withGroups.length;
    for (let i = 0; i < withGroups.length && groupedRows.length < request.limit; i++) {
      const p = withGroups[(start + i) % withGroups.length] as number;
      groupedRows.push(...(await claimFrom([p], request.limit - groupedRows.length, 'groups')));
    }
    const left = request.limit - groupedRows.length;
    if (left <= 0) return groupedRows;
    const oldest = peeks
      .flatMap((x) => x.due)
      .sort((a, b) => a.score - b.score || byteCompare(a.member, b.member))
      .slice(0, left);
    const quota = new Map<number, number>();
    for (const { p } of oldest) quota.set(p, (quota.get(p) ?? 0) + 1);
    const claimed = new Map<number, ClaimedMessage[]>();
    await Promise.all([...quota].map(async ([p, n]) => claimed.set(p, await claimFrom([p], n, 'plain'))));
    // Each partition's rows come oldest first: interleave them in the order the peek chose.
    const ordered: ClaimedMessage[] = groupedRows;
    for (const { p } of oldest) {
      const next = claimed.get(p)?.shift();
      if (next !== undefined) ordered.push(next);
    }
    return ordered;
  }

  /** Runs a limited sweep script over partitions until `limit` is spent; returns the total. */
  async #limited(script: ScriptName, limit: number, argsFor: (left: number) => Arg[]): Promise<number> {
    if (limit <= 0) return 0;
    const keys = this.layout.routeKeys;
    if (!this.conn.cluster) return asNumber(await this.conn.script(script, keys, argsFor(limit)), script);
    let done = 0;
    const start = this.#rotation++ % keys.length;
    for (let i = 0; i < keys.length && done < limit; i++) {
      const key = keys[(start + i) % keys.length] as string;
      done += asNumber(await this.conn.script(script, [key], argsFor(limit - done)), script);
    }
    return done;
  }

  promoteDueRetries(limit: number, updatedBy: string): Promise<number> {
    return this.#limited('promoteDue', limit, (left) => [this.layout.wakePrefix(), left, updatedBy]);
  }

  reapExpiredLeases(request: ReapRequest): Promise<number> {
    const delay = Math.max(0, Math.floor(request.retryDelayMs));
    return this.#limited('reapExpired', request.limit, (left) => [
      left,
      delay,
      request.updatedBy,
      ErrorCode.LEASE_LOST,
    ]);
  }

  purge(request: PurgeRequest): Promise<number> {
    const statuses = request.statuses.filter((s) => TERMINAL.includes(s));
    if (statuses.length === 0) return Promise.resolve(0);
    const olderThan = Math.max(0, Math.floor(request.olderThanMs));
    return this.#limited('purge', request.limit, (left) => [statuses.join(','), olderThan, left]);
  }

  async redrive(filter: RowFilter, updatedBy: string): Promise<number> {
    const statuses = (filter.statuses ?? REDRIVABLE).filter((s) => REDRIVABLE.includes(s));
    if (statuses.length === 0) return 0;
    // An event's keyed rows live in their keys' partitions: by EVENT_ID every partition is asked.
    const partitions =
      filter.eventId === undefined
        ? this.layout.bases.map((_, p) => p)
        : this.layout.partitionsForEvent(filter.eventId);
    const args: Arg[] = [
      this.layout.wakePrefix(),
      updatedBy,
      REDRIVE_CHUNK,
      statuses.join(','),
      filter.table ?? '',
      filter.messageType ?? '',
      filter.eventId ?? '',
    ];
    const counts = await Promise.all(
      partitions.map(async (p) => {
        let total = 0;
        for (;;) {
          const moved = asNumber(await this.conn.script('redrive', [this.layout.routeKey(p)], args), 'redrive');
          total += moved;
          if (moved < REDRIVE_CHUNK) return total;
        }
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}
