import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { BenchPayload } from '../../bench/harness/payloads.js';
import type { QueueSystem } from '../../bench/systems/types.js';
import { publishOnSchedule } from '../../bench/workloads/arrivals.js';
import { probe } from '../../bench/workloads/w3-steady.js';

/**
 * A system whose publish takes `publishMs` and whose event counts as COMPLETED the moment
 * its publish returns: the only limit on it is how fast it takes events in.
 */
function fakeSystem(publishMs: number): QueueSystem & { readonly publishedSeqs: number[] } {
  let completed = 0;
  const publishedSeqs: number[] = [];
  return {
    publishedSeqs,
    completedSoFar: () => completed,
    publish: async (payload: BenchPayload) => {
      if (publishMs > 0) await sleep(publishMs);
      publishedSeqs.push(payload.seq);
      completed++;
    },
  } as unknown as QueueSystem & { readonly publishedSeqs: number[] };
}

const payload = (seq: number): BenchPayload => ({ seq, sentAt: 0, data: '' });

describe('bench: arrivals on a schedule', () => {
  it('publishes every event, each exactly once, and waits for the last call', async () => {
    const system = fakeSystem(5);
    const result = await publishOnSchedule(system, 200, 2000, payload);
    expect(result.published).toBe(200);
    expect(system.publishedSeqs.slice().sort((a, b) => a - b)).toEqual([...Array(200).keys()]);
  });

  it('stops starting publishes at the deadline when the system cannot take the rate', async () => {
    // 2 calls in flight of 50 ms each: at most 40 events/s against 1,000 scheduled.
    const system = fakeSystem(50);
    const began = performance.now();
    const result = await publishOnSchedule(system, 1000, 1000, payload, { maxInFlight: 2, deadlineMs: 300 });
    const tookMs = performance.now() - began;
    expect(result.published).toBeLessThan(40);
    expect(result.published).toBe(system.publishedSeqs.length);
    expect(tookMs).toBeLessThan(1000);
  });
});

describe('bench: a W3 probe', () => {
  it('is flat for a system that keeps the rate', async () => {
    const result = await probe(fakeSystem(0), 400, 1.5, 0);
    expect(result).toMatchObject({ flat: true, published: 600 });
  });

  it('is not flat for a system whose publish cannot keep the rate, and ends on time', async () => {
    // 256 calls in flight of 200 ms: about 1,280 events/s taken in against 5,000 due. Counted
    // from the calls that returned, its backlog would look flat; counted from the schedule it
    // grows by thousands per second.
    const began = performance.now();
    const result = await probe(fakeSystem(200), 5000, 1.5, 0);
    expect(result.flat).toBe(false);
    expect(result.published).toBeLessThan(5000 * 1.5);
    expect(result.growthPerSecond).toBeGreaterThan(0.02 * 5000);
    expect(performance.now() - began).toBeLessThan(4000);
  });
});
