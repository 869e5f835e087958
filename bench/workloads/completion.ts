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
export function waitForCompleted(system: QueueSystem, target: number, stallMs = 30_000): Promise<number> {
  return waitForCount(
    target,
    () => system.completedSoFar(),
    async () => (await system.counts()).completed,
    async () => formatCounts(await system.counts()),
    stallMs,
  );
}

/**
 * The general form: `seen` is the cheap in-process counter of store-confirmed
 * completions, `confirmed` asks the store itself.
 */
export async function waitForCount(
  target: number,
  seen: () => number,
  confirmed: () => Promise<number>,
  describe: () => Promise<string>,
  stallMs = 30_000,
): Promise<number> {
  let last = seen();
  let lastChange = performance.now();
  for (;;) {
    const now = performance.now();
    const count = seen();
    if (count >= target && (await confirmed()) >= target) return now;
    if (count !== last) {
      last = count;
      lastChange = now;
    } else if (now - lastChange > stallMs) {
      throw new Error(`stalled at ${count}/${target} completions; store: ${await describe()}`);
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
