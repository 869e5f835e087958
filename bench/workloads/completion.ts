/**
 * Waiting for "done", counted at COMPLETED from the store: the process-local counter of
 * completions the store confirmed says when to ask, and the store's own count decides.
 */
import { performance } from 'node:perf_hooks';
import type { QueueSystem, StoreCounts } from '../systems/types.js';
import type { ExactCheck } from './types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with the performance.now() time at which `target` completions were confirmed,
 * checked against the store's own count. Throws when nothing progresses for `stallMs`.
 */
export async function waitForCompleted(system: QueueSystem, target: number, stallMs = 30_000): Promise<number> {
  let last = system.completedSoFar();
  let lastChange = performance.now();
  for (;;) {
    const seen = system.completedSoFar();
    const now = performance.now();
    if (seen >= target) {
      const counts = await system.counts();
      if (counts.completed >= target) return now;
    }
    if (seen !== last) {
      last = seen;
      lastChange = now;
    } else if (now - lastChange > stallMs) {
      const counts = await system.counts();
      throw new Error(`stalled at ${seen}/${target} completions; store: ${formatCounts(counts)}`);
    }
    await sleep(1);
  }
}

export function formatCounts(c: StoreCounts): string {
  return `pending ${c.pending}, active ${c.active}, completed ${c.completed}, retrying ${c.retrying}, failed ${c.failed}`;
}

/** Every event COMPLETED, nothing else left, each handled exactly `handledOnce` times. */
export function exactDrainCheck(
  counts: StoreCounts,
  expected: number,
  ledger: { missing: number; duplicates: number },
): ExactCheck {
  const ok =
    counts.completed === expected &&
    counts.pending === 0 &&
    counts.active === 0 &&
    counts.retrying === 0 &&
    counts.failed === 0 &&
    ledger.missing === 0 &&
    ledger.duplicates === 0;
  return {
    ok,
    detail: `store: ${formatCounts(counts)} (expected ${expected} completed); handler: ${ledger.missing} never run, ${ledger.duplicates} run twice`,
  };
}
