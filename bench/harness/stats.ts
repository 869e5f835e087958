/**
 * Summary statistics for benchmark figures: the median with min–max across repetitions,
 * and exact percentiles of latency samples (nearest rank over the sorted samples, so p99.9
 * of 20,000 samples is the 19,980th smallest, never an interpolation).
 */

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function spread(values: readonly number[]): Spread | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  const median =
    finite.length % 2 === 1 ? (finite[mid] as number) : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
  return { median, min: finite[0] as number, max: finite[finite.length - 1] as number, n: finite.length };
}

/** Nearest-rank percentile of samples already sorted ascending; q in (0, 1]. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Growable sample buffer for latencies in milliseconds. */
export class Samples {
  #data = new Float64Array(1024);
  #length = 0;

  add(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  summary(): LatencySummary {
    const sorted = this.#data.slice(0, this.#length).sort();
    return {
      count: sorted.length,
      p50: percentileSorted(sorted, 0.5),
      p99: percentileSorted(sorted, 0.99),
      p999: percentileSorted(sorted, 0.999),
      max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : NaN,
    };
  }
}
