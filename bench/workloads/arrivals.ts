/**
 * Open-loop arrivals scheduled from the clock: event i is due at start + i / rate, and its
 * `sentAt` is that scheduled time, not the moment the publish call was made. A slow
 * publish therefore shows up as latency instead of quietly lowering the offered rate
 * (no coordinated omission). At most `maxInFlight` publish calls are outstanding; when
 * that cap is reached the schedule keeps running and the delay counts against latency.
 */
import { performance } from 'node:perf_hooks';
import type { BenchPayload } from '../harness/payloads.js';
import type { QueueSystem } from '../systems/types.js';

export interface ArrivalResult {
  /** Events published: `count`, or fewer when the deadline cut the schedule short. */
  readonly published: number;
  /** How far behind schedule the last publish call started, in ms. */
  readonly maxLagMs: number;
}

export interface ArrivalOptions {
  /** Publish calls outstanding at most (default 256). */
  readonly maxInFlight?: number;
  /**
   * Stop starting publish calls this many ms after the schedule began, whether or not
   * `count` were published: a system that cannot take the rate then ends the run on time
   * instead of stretching it (and its event count) to whatever pace it can take.
   */
  readonly deadlineMs?: number;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

export async function publishOnSchedule(
  system: QueueSystem,
  count: number,
  rate: number,
  payloadAt: (i: number) => BenchPayload,
  options: ArrivalOptions = {},
): Promise<ArrivalResult> {
  const maxInFlight = options.maxInFlight ?? 256;
  const start = performance.now();
  const stopAt = start + (options.deadlineMs ?? Number.POSITIVE_INFINITY);
  const intervalMs = 1000 / rate;
  let next = 0;
  let inFlight = 0;
  let maxLagMs = 0;
  let failure: Error | undefined;
  let allSettled: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    if (inFlight === 0) allSettled?.();
  };
  while (next < count && performance.now() < stopAt) {
    const now = performance.now();
    while (next < count && start + next * intervalMs <= now && inFlight < maxInFlight) {
      const payload = payloadAt(next);
      payload.sentAt = start + next * intervalMs;
      maxLagMs = Math.max(maxLagMs, now - payload.sentAt);
      next++;
      inFlight++;
      system.publish(payload).then(settled, (error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
        settled();
      });
    }
    if (failure !== undefined) throw failure;
    await tick();
  }
  if (inFlight > 0) await new Promise<void>((resolve) => (allSettled = resolve));
  if (failure !== undefined) throw failure;
  return { published: next, maxLagMs };
}
