import { randomBytes, randomUUID } from 'node:crypto';

/** Milliseconds since the epoch. Injected so tests control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Produces EVENT_IDs, claim tokens and worker ids. Injected so tests get stable ids. */
export interface IdGenerator {
  next(): string;
}

/** Random UUIDs (version 4): claim tokens and worker ids, where order means nothing. */
export const uuidGenerator: IdGenerator = { next: () => randomUUID() };

/**
 * Time-ordered UUIDs (RFC 9562 version 7), the default EVENT_ID: 48 bits of Unix
 * milliseconds, then a 12-bit counter that keeps ids of one process strictly increasing
 * within a millisecond (RFC 9562 §6.2, method 1), then 62 random bits. New events land at
 * the right edge of every index keyed by EVENT_ID instead of on a random page: on SQLite
 * that alone makes publishing a large backlog about 3× faster (see docs/benchmarks.md).
 */
export function createUuidV7Generator(clock: Clock = systemClock): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  let pool = Buffer.alloc(0);
  let offset = 0;
  return {
    next(): string {
      if (offset + 10 > pool.length) {
        pool = randomBytes(10 * 256);
        offset = 0;
      }
      let ms = clock.now();
      if (ms > lastMs) {
        lastMs = ms;
        counter = (pool[offset] as number) & 0x1ff; // a random start leaves room to count up
      } else if (counter < 0xfff) {
        ms = lastMs;
        counter++;
      } else {
        ms = ++lastMs; // counter exhausted: borrow the next millisecond (ids stay ordered)
        counter = 0;
      }
      const bytes = Buffer.allocUnsafe(16);
      bytes.writeUIntBE(ms, 0, 6);
      bytes[6] = 0x70 | (counter >> 8);
      bytes[7] = counter & 0xff;
      pool.copy(bytes, 8, offset + 2, offset + 10);
      offset += 10;
      bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

/** The default EVENT_ID generator of an application: time-ordered UUIDv7. */
export const uuidV7Generator: IdGenerator = createUuidV7Generator();

/** ISO-8601 UTC with millisecond precision, as in the seed's example table. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
