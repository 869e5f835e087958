import { randomUUID } from 'node:crypto';

/** Milliseconds since the epoch. Injected so tests control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Produces EVENT_IDs, claim tokens and worker ids. Injected so tests get stable ids. */
export interface IdGenerator {
  next(): string;
}

export const uuidGenerator: IdGenerator = { next: () => randomUUID() };

/** ISO-8601 UTC with millisecond precision, as in the seed's example table. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
