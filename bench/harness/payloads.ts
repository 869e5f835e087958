/**
 * The events' payloads: about 1 KB of JSON each, with a random body (no store compresses
 * or de-duplicates payloads, and event ids are never reused). `seq` is unique per run (it is how the suite checks "nothing lost,
 * no duplicate"); `sentAt` is the scheduled publish time on this process's clock
 * (performance.now()), for latencies.
 */
import { randomBytes } from 'node:crypto';

export interface BenchPayload {
  readonly seq: number;
  sentAt: number;
  readonly data: string;
}

/** 750 random bytes as base64: 1,000 characters, so the JSON is about 1 KB. */
const DATA_BYTES = 750;
/**
 * Distinct random bodies, reused round-robin: every event still carries 1 KB of random
 * data and a unique seq, but a run of millions of events does not hold gigabytes of
 * payloads in the benchmark's own memory (which would swamp the peak-RSS figure).
 */
const POOL_SIZE = 4096;
let pool: string[] | undefined;

function bodies(): string[] {
  if (pool === undefined) {
    const bytes = randomBytes(DATA_BYTES * POOL_SIZE);
    pool = Array.from({ length: POOL_SIZE }, (_, i) =>
      bytes.subarray(i * DATA_BYTES, (i + 1) * DATA_BYTES).toString('base64'),
    );
  }
  return pool;
}

export function makePayload(seq: number): BenchPayload {
  const all = bodies();
  return { seq, sentAt: 0, data: all[seq % all.length] as string };
}

export function makePayloads(count: number, firstSeq = 0): BenchPayload[] {
  return Array.from({ length: count }, (_, i) => makePayload(firstSeq + i));
}

export function isBenchPayload(value: unknown): value is BenchPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.seq === 'number' && typeof v.sentAt === 'number' && typeof v.data === 'string';
}

/**
 * Counts handler runs per seq: the exact check after every run (each seq handled at
 * least once, and how many were handled more than once).
 */
export class SeqLedger {
  readonly #runs: Uint8Array;

  constructor(readonly size: number) {
    this.#runs = new Uint8Array(size);
  }

  record(seq: number): number {
    const runs = this.#runs[seq] ?? 0;
    if (seq >= 0 && seq < this.size && runs < 255) this.#runs[seq] = runs + 1;
    return runs + 1;
  }

  check(): { missing: number; duplicates: number } {
    let missing = 0;
    let duplicates = 0;
    for (const runs of this.#runs) {
      if (runs === 0) missing++;
      else if (runs > 1) duplicates++;
    }
    return { missing, duplicates };
  }
}
