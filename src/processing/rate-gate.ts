/**
 * Rate limits in the processor: one claim step that takes the store's shared tokens
 * (`EventStore.takeTokens`) before rows of a rate-limited type start. Processors without a
 * rate-limited type never build one, so their claim loop is unchanged.
 *
 * - **Per type**: tokens first, then a claim of at most the tokens granted, limited to the
 *   free concurrency slots so the rows start at once (a token is a start, not a place in
 *   the prefetch queue). Tokens the claim found no rows for are given back. With no token,
 *   the type is not asked again before `nextAt` (store clock, turned into a local wait):
 *   no store call for it meanwhile, and the idle wait is cut to that time.
 * - **Per group**: rows are claimed first (their group is in the row), then one
 *   `takeTokens` call for the groups among them; rows of a group without a token go back
 *   unstarted (`release` with a delay, no attempt counted), claimable again at their
 *   group's next slot: the wait is visible as UNPROCESSED/RETRY rows with AVAILABLE_AT in
 *   the future, and other groups' rows, claimed next, flow.
 */
import type { Table } from '../core/message-type.js';
import { rateKey, type RateLimit } from '../core/rate-limit.js';
import type { ClaimedMessage, ClaimRequest, EventStore, TokenGrant, TokenRequest } from '../store/port.js';
import type { Hooks } from './hooks.js';
import type { Logger } from './logger.js';

export interface RateGateDeps {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly hooks: Hooks;
  readonly serviceName: string;
  readonly table: Table;
  /** The handled types, in the processor's order. */
  readonly types: readonly string[];
  /** The rate limit of each handled type that has one. */
  readonly limits: ReadonlyMap<string, RateLimit>;
  readonly batchSize: number;
}

/** What a claim request needs besides types and limit. */
export type ClaimBase = Omit<ClaimRequest, 'messageTypes' | 'limit'>;

/** The group key of a row (MessageRow.groupKey); null when its type has no group. */
export const groupKeyOf = (row: ClaimedMessage): string | null => row.groupKey;

/** Longest local wait for a type's next token, so a clock jump or a bad answer cannot park a type for long. */
export const MAX_RATE_WAIT_MS = 60_000;

export class RateGate {
  readonly #deps: RateGateDeps;
  readonly #perType: readonly string[];
  readonly #perGroup: readonly string[];
  readonly #unlimited: readonly string[];
  /** Type → performance.now() before which it is not asked again. */
  readonly #coolUntil = new Map<string, number>();

  constructor(deps: RateGateDeps) {
    this.#deps = deps;
    const limitOf = (t: string): RateLimit | undefined => deps.limits.get(t);
    this.#perType = deps.types.filter((t) => limitOf(t)?.perGroup === false);
    this.#perGroup = deps.types.filter((t) => limitOf(t)?.perGroup === true);
    this.#unlimited = deps.types.filter((t) => limitOf(t) === undefined);
  }

  /** Milliseconds until the first waiting type may ask for tokens again; Infinity when none waits. */
  waitMs(now: number): number {
    let soonest = Infinity;
    for (const [type, until] of this.#coolUntil) {
      if (until <= now) this.#coolUntil.delete(type);
      else soonest = Math.min(soonest, until - now);
    }
    return soonest;
  }

  /**
   * Claims up to `free` rows, of which at most `slots` of rate-limited types (they start at
   * once). A failure after some rows were claimed is logged and those rows returned (they
   * must run or be released by the caller); a failure before any is thrown.
   */
  async claim(base: ClaimBase, free: number, slots: number, now: () => number): Promise<ClaimedMessage[]> {
    const out: ClaimedMessage[] = [];
    const step = async (what: string, work: () => Promise<void>): Promise<boolean> => {
      try {
        await work();
        return true;
      } catch (error) {
        if (out.length === 0) throw error;
        this.#deps.logger.warn({ err: error, table: this.#deps.table, step: what }, 'rate-limited claim step failed');
        return false;
      }
    };
    const { batchSize } = this.#deps;
    for (const type of this.#perType) {
      const room = Math.min(slots - out.length, batchSize);
      if (room <= 0) break;
      if ((this.#coolUntil.get(type) ?? 0) > now()) continue;
      if (!(await step(type, () => this.#claimPerType(base, type, room, now, out)))) return out;
    }
    if (this.#perGroup.length > 0) {
      const room = Math.min(slots - out.length, batchSize);
      if (room > 0 && !(await step('groups', () => this.#claimPerGroup(base, room, out)))) return out;
    }
    if (this.#unlimited.length > 0) {
      const room = Math.min(free - out.length, batchSize);
      if (room > 0) {
        await step('claim', async () => {
          out.push(...(await this.#deps.store.claim({ ...base, messageTypes: this.#unlimited, limit: room })));
        });
      }
    }
    return out;
  }

  async #claimPerType(
    base: ClaimBase,
    type: string,
    room: number,
    now: () => number,
    out: ClaimedMessage[],
  ): Promise<void> {
    const { store, logger } = this.#deps;
    const limit = this.#deps.limits.get(type) as RateLimit;
    const key = rateKey(type);
    const [grant] = await this.#take([
      { key, max: limit.max, intervalMs: limit.intervalMs, want: Math.min(room, limit.max) },
    ]);
    if (grant === undefined) return;
    if (grant.granted === 0) {
      const waitMs = Math.min(MAX_RATE_WAIT_MS, Math.max(1, grant.nextAt - grant.at));
      this.#coolUntil.set(type, now() + waitMs);
      this.#report(type, undefined, waitMs, []);
      return;
    }
    // Tokens taken, then the claim: if the claim throws, the tokens stay spent (stricter, never looser).
    const rows = await store.claim({ ...base, messageTypes: [type], limit: grant.granted });
    out.push(...rows);
    const unused = grant.granted - rows.length;
    if (unused > 0) {
      // Best effort: tokens not given back only make the limit stricter until they expire.
      await (store.returnTokens?.([{ key, at: grant.at, count: unused }]) ?? Promise.resolve()).catch(
        (error: unknown) => {
          logger.debug({ err: error, messageType: type }, 'could not give back unused rate-limit tokens');
        },
      );
    }
  }

  async #claimPerGroup(base: ClaimBase, room: number, out: ClaimedMessage[]): Promise<void> {
    const { store, serviceName } = this.#deps;
    const rows = await store.claim({ ...base, messageTypes: this.#perGroup, limit: room });
    if (rows.length === 0) return;
    // One request per (type, group), wanting as many tokens as rows (at most max).
    const byKey = new Map<string, { type: string; group: string | null; rows: ClaimedMessage[] }>();
    for (const row of rows) {
      const group = groupKeyOf(row);
      const key = rateKey(row.messageType, group);
      const entry = byKey.get(key) ?? { type: row.messageType, group, rows: [] };
      entry.rows.push(row);
      byKey.set(key, entry);
    }
    const entries = [...byKey];
    let grants: readonly TokenGrant[];
    try {
      grants = await this.#take(
        entries.map(([key, { type, rows: of }]) => {
          const limit = this.#deps.limits.get(type) as RateLimit;
          return { key, max: limit.max, intervalMs: limit.intervalMs, want: Math.min(of.length, limit.max) };
        }),
      );
    } catch (error) {
      // No token was judged: nothing starts; the rows go back at once, unstarted.
      await store.release(rows, serviceName).catch(() => undefined);
      throw error;
    }
    const delayed = new Map<number, ClaimedMessage[]>();
    entries.forEach(([, { type, group, rows: of }], i) => {
      const grant = grants[i];
      const granted = grant?.granted ?? 0;
      out.push(...of.slice(0, granted));
      const wait = of.slice(granted);
      if (wait.length === 0 || grant === undefined) return;
      const waitMs = Math.min(MAX_RATE_WAIT_MS, Math.max(1, grant.nextAt - grant.at));
      delayed.set(waitMs, [...(delayed.get(waitMs) ?? []), ...wait]);
      this.#report(type, group, waitMs, wait);
    });
    await Promise.all(
      [...delayed].map(([waitMs, wait]) =>
        store.release(wait, serviceName, waitMs).catch((error: unknown) => {
          this.#deps.logger.warn(
            { err: error, rows: wait.length, table: this.#deps.table },
            'release of rate-limited rows failed; their leases will expire',
          );
        }),
      ),
    );
  }

  #take(requests: readonly TokenRequest[]): Promise<readonly TokenGrant[]> {
    const { store } = this.#deps;
    // The service checked at start that the store has it.
    return store.takeTokens?.(requests) ?? Promise.resolve([]);
  }

  #report(
    messageType: string,
    group: string | null | undefined,
    waitMs: number,
    messages: readonly ClaimedMessage[],
  ): void {
    const { hooks, serviceName: service, table } = this.#deps;
    if (hooks.listening('rateLimited')) {
      hooks.emit('rateLimited', { service, table, messageType, group, waitMs, messages });
    }
  }
}
