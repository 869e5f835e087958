/**
 * Parked ordering keys on Redis: listParkedKeys and skipParkedHead (docs/redis.md, "Ordering
 * keys"). A key is parked while the head of its FIFO is FAILED and not skipped; each
 * partition indexes the keys that hold a FAILED row in `<base>:pk`, read by member
 * (`<table>|<key>`, byte order), so pages across partitions merge in one global order and
 * the cursor is the last key's member.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { ALL_TABLES, type Table } from '../../core/message-type.js';
import type { ParkedKey, ParkedKeysPage, ParkedKeysRequest, SkipParkedRequest } from '../../store/port.js';
import { asArray, asNumber, asText, byteCompare, decodeRow } from './codec.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './layout.js';

/** Candidate keys one list script call may look at. */
const PARKED_BUDGET = 1000;

interface Found {
  readonly member: string;
  readonly key: ParkedKey;
}

function invalid(what: string, value: unknown): EventyardError {
  return new EventyardError(ErrorCode.INVALID_FILTER, `listParkedKeys: ${what}, got ${JSON.stringify(value)}`, {
    details: { value },
  });
}

export class ParkedKeys {
  constructor(
    private readonly conn: RedisConnection,
    private readonly layout: KeyLayout,
  ) {}

  async list(request: ParkedKeysRequest): Promise<ParkedKeysPage> {
    const { table, after } = request;
    if (!Number.isInteger(request.limit) || request.limit < 1)
      throw invalid('"limit" must be a positive integer', request.limit);
    if (table !== undefined && !ALL_TABLES.includes(table))
      throw invalid(`"table" must be one of ${ALL_TABLES.join(', ')}`, table);
    if (after !== undefined && (typeof after !== 'string' || !ALL_TABLES.some((t) => after.startsWith(`${t}|`)))) {
      throw new EventyardError(ErrorCode.INVALID_CURSOR, `invalid parked-keys cursor ${JSON.stringify(after)}`);
    }
    const floor = table === undefined ? undefined : `${table}|`;
    let min = table === undefined ? '-' : `[${table}|`;
    if (after !== undefined && (floor === undefined || byteCompare(after, floor) >= 0)) min = `(${after}`;
    const max = table === undefined ? '+' : `(${table}}`;
    const results = await Promise.all(this.layout.bases.map((_, p) => this.#partition(p, min, max, request.limit)));
    const merged = results.flatMap((r) => r.found).sort((a, b) => byteCompare(a.member, b.member));
    const page = merged.slice(0, request.limit);
    const more = merged.length > request.limit || results.some((r) => r.more);
    const last = page[page.length - 1];
    return { keys: page.map((f) => f.key), next: more && last !== undefined ? last.member : null };
  }

  async #partition(
    partition: number,
    min: string,
    max: string,
    limit: number,
  ): Promise<{ found: Found[]; more: boolean }> {
    const found: Found[] = [];
    let from = min;
    for (;;) {
      const reply = asArray(
        await this.conn.script(
          'listParked',
          [this.layout.routeKey(partition)],
          [from, max, limit - found.length, PARKED_BUDGET],
        ),
        'parked keys',
      );
      for (let i = 2; i + 4 < reply.length; i += 5) {
        const member = asText(reply[i], 'parked key');
        const at = member.indexOf('|');
        const head = decodeRow(
          asText(reply[i + 1], 'type'),
          asText(reply[i + 2], 'event'),
          reply[i + 3],
          member.slice(0, at),
        );
        found.push({
          member,
          key: {
            table: member.slice(0, at) as Table,
            orderingKey: member.slice(at + 1),
            head,
            waiting: asNumber(reply[i + 4], 'waiting'),
          },
        });
      }
      const done = asNumber(reply[0], 'done') === 1;
      if (done) return { found, more: false };
      if (found.length >= limit) return { found, more: true };
      from = `(${asText(reply[1], 'last scanned')}`;
    }
  }

  /** On a single server one script looks in every partition; on a cluster one call each. */
  async skip(request: SkipParkedRequest): Promise<boolean> {
    const args = [this.layout.wakePrefix(), request.table, request.messageType, request.eventId, request.updatedBy];
    const partitions = this.layout.partitionsForEvent(request.eventId);
    if (!this.conn.cluster) {
      const keys = partitions.map((p) => this.layout.routeKey(p));
      return asNumber(await this.conn.script('skipParked', keys, args), 'skip') === 1;
    }
    const done = await Promise.all(
      partitions.map(async (p) =>
        asNumber(await this.conn.script('skipParked', [this.layout.routeKey(p)], args), 'skip'),
      ),
    );
    return done.some((d) => d === 1);
  }
}
