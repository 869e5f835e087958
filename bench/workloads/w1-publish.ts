/**
 * W1 publish: events written one at a time with 1 in flight (`eventsSerial`), one at a
 * time with 64 in flight (`events`), and in batches of 100 (`events`); no workers run.
 * Exact check after each phase: the store holds exactly the events published so far, all
 * waiting.
 */
import { makePayloads, type BenchPayload } from '../harness/payloads.js';
import type { QueueSystem } from '../systems/types.js';
import { formatCounts } from './completion.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

interface Mode {
  readonly phase: string;
  readonly events: number;
  readonly write: (system: QueueSystem, payloads: readonly BenchPayload[]) => Promise<void>;
}

async function inFlight(system: QueueSystem, payloads: readonly BenchPayload[], width: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < payloads.length) await system.publish(payloads[next++] as BenchPayload);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function batches(system: QueueSystem, payloads: readonly BenchPayload[], size: number): Promise<void> {
  for (let i = 0; i < payloads.length; i += size) await system.publishBatch(payloads.slice(i, i + size));
}

export async function publish(env: RunEnv): Promise<PhaseResult[]> {
  const modes: Mode[] = [
    { phase: '1 in flight', events: param(env.spec.params, 'eventsSerial'), write: (s, p) => inFlight(s, p, 1) },
    { phase: '64 in flight', events: param(env.spec.params, 'events'), write: (s, p) => inFlight(s, p, 64) },
    { phase: 'batches of 100', events: param(env.spec.params, 'events'), write: (s, p) => batches(s, p, 100) },
  ];
  const system = await env.createSystem();
  const results: PhaseResult[] = [];
  let total = 0;
  try {
    for (const mode of modes) {
      const payloads = makePayloads(mode.events, total);
      const meter = env.createMeter();
      await meter.start();
      await mode.write(system, payloads);
      const window = await meter.stop(mode.events);
      total += mode.events;
      const counts = await system.counts();
      const ok = counts.pending === total && counts.completed + counts.active + counts.failed === 0;
      results.push({
        phase: mode.phase,
        window,
        extra: {},
        check: { ok, detail: `store: ${formatCounts(counts)} (expected ${total} pending)` },
      });
    }
    return results;
  } finally {
    await system.close();
  }
}
