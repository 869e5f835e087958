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
  /** Events published. */
  readonly published: number;
  /** How far behind schedule the last publish call started, in ms. */
  readonly maxLagMs: number;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

export async function publishOnSchedule(
  system: QueueSystem,
  count: number,
  rate: number,
  payloadAt: (i: number) => BenchPayload,
  options: { maxInFlight?: number } = {},
): Promise<ArrivalResult> {
  const maxInFlight = options.maxInFlight ?? 256;
  const start = performance.now();
  const intervalMs = 1000 / rate;
  let next = 0;
  let inFlight = 0;
  let maxLagMs = 0;
  let failure: Error | undefined;
  const done: Promise<void>[] = [];
  while (next < count) {
    const now = performance.now();
    while (next < count && start + next * intervalMs <= now && inFlight < maxInFlight) {
      const payload = payloadAt(next);
      payload.sentAt = start + next * intervalMs;
      maxLagMs = Math.max(maxLagMs, now - payload.sentAt);
      next++;
      inFlight++;
      done.push(
        system.publish(payload).then(
          () => void inFlight--,
          (error: unknown) => {
            inFlight--;
            failure ??= error instanceof Error ? error : new Error(String(error));
          },
        ),
      );
    }
    if (failure !== undefined) throw failure;
    await tick();
  }
  await Promise.all(done);
  if (failure !== undefined) throw failure;
  return { published: next, maxLagMs };
}
