/**
 * Counts sampled over time, for the console's charts: every `intervalMs` the store's counts
 * per message type and status are read and kept for `windowMs`. Throughput and failures
 * are the growth of the COMPLETED and FAILED counts between samples (a purge shrinks
 * counts; a shrink counts as zero, never as negative work). The history starts when the
 * sampler starts: the store keeps no record of past counts.
 */
import { Status } from '../core/status.js';
import type { EventStore, StatusCount } from '../store/port.js';

export interface CountSample {
  readonly at: number;
  /** `${messageType}\u0000${status}` → count */
  readonly counts: ReadonlyMap<string, number>;
}

export interface ChartSeries {
  /** Sample times, epoch seconds. */
  readonly t: readonly number[];
  /** Rows completed per second since the previous sample. */
  readonly completedPerSec: readonly number[];
  /** Rows failed (FAILED) per second since the previous sample. */
  readonly failedPerSec: readonly number[];
  /** Rows waiting or in progress (UNPROCESSED, RETRY, ERROR, IN_PROGRESS) at the sample. */
  readonly backlog: readonly number[];
  /** failed / (completed + failed) between samples, 0..1; 0 when nothing finished. */
  readonly failureRate: readonly number[];
}

const BACKLOG: readonly Status[] = [Status.UNPROCESSED, Status.RETRY, Status.ERROR, Status.IN_PROGRESS];
const key = (type: string, status: Status): string => `${type}\u0000${status}`;

export function toSample(at: number, counts: readonly StatusCount[]): CountSample {
  const map = new Map<string, number>();
  for (const c of counts) map.set(key(c.messageType, c.status), (map.get(key(c.messageType, c.status)) ?? 0) + c.count);
  return { at, counts: map };
}

const sumStatus = (s: CountSample, statuses: readonly Status[], type?: string): number => {
  let n = 0;
  for (const [k, v] of s.counts) {
    const [t, st] = k.split('\u0000') as [string, Status];
    if (statuses.includes(st) && (type === undefined || t === type)) n += v;
  }
  return n;
};

/** Growth of the given statuses' counts from `a` to `b`, per type, never negative. */
export function growth(a: CountSample, b: CountSample, status: Status, type?: string): number {
  return Math.max(0, sumStatus(b, [status], type) - sumStatus(a, [status], type));
}

export class CountHistory {
  readonly #store: EventStore;
  readonly #intervalMs: number;
  readonly #windowMs: number;
  readonly #samples: CountSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;

  constructor(store: EventStore, options: { intervalMs?: number; windowMs?: number } = {}) {
    this.#store = store;
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#windowMs = options.windowMs ?? 3_600_000;
  }

  get samples(): readonly CountSample[] {
    return this.#samples;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes one sample now (skipped while the previous one is still being read). */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const [at, counts] = await Promise.all([this.#store.now(), this.#store.countByStatus()]);
      this.#samples.push(toSample(at, counts));
      while (this.#samples.length > 0 && (this.#samples[0] as CountSample).at < at - this.#windowMs)
        this.#samples.shift();
    } catch {
      // An unreachable store leaves a gap in the charts; the status endpoint reports the error.
    } finally {
      this.#sampling = false;
    }
  }

  series(): ChartSeries {
    const s = this.#samples;
    const out = {
      t: [] as number[],
      completedPerSec: [] as number[],
      failedPerSec: [] as number[],
      backlog: [] as number[],
      failureRate: [] as number[],
    };
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1] as CountSample;
      const b = s[i] as CountSample;
      const seconds = Math.max(0.001, (b.at - a.at) / 1000);
      const completed = growth(a, b, Status.COMPLETED);
      const failed = growth(a, b, Status.FAILED);
      out.t.push(Math.round(b.at / 1000));
      out.completedPerSec.push(completed / seconds);
      out.failedPerSec.push(failed / seconds);
      out.backlog.push(sumStatus(b, BACKLOG));
      out.failureRate.push(completed + failed === 0 ? 0 : failed / (completed + failed));
    }
    return out;
  }

  /** Rows of `type` completed per minute over the last `spanMs` (0 without two samples). */
  ratePerMinute(type: string, status: Status, spanMs = 300_000): number {
    const last = this.#samples.at(-1);
    if (last === undefined) return 0;
    const first = this.#samples.find((x) => x.at >= last.at - spanMs);
    if (first === undefined || first === last) return 0;
    return (growth(first, last, status, type) * 60_000) / (last.at - first.at);
  }
}
