/**
 * W4 latency: `rate` events/s arrive on a clock schedule for `seconds`, workers at
 * concurrency 32. Per event: scheduled publish → handler start, and scheduled publish →
 * the store confirming COMPLETED. The first 10% of the events are left out of the
 * percentiles (start-up), every event is in the exact check.
 */
import { performance } from 'node:perf_hooks';
import { makePayloads, SeqLedger, type BenchPayload } from '../harness/payloads.js';
import { Samples } from '../harness/stats.js';
import { publishOnSchedule } from './arrivals.js';
import { exactDrainCheck, waitForCompleted } from './completion.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

export async function latency(env: RunEnv): Promise<PhaseResult[]> {
  const rate = param(env.spec.params, 'rate');
  const seconds = param(env.spec.params, 'seconds');
  const events = Math.round(rate * seconds);
  const skip = Math.floor(events * 0.1);
  const system = await env.createSystem();
  try {
    const payloads = makePayloads(events);
    const ledger = new SeqLedger(events);
    const started = new Samples();
    const completed = new Samples();
    await system.startWorkers({
      concurrency: 32,
      handle: ({ payload }) => {
        if (ledger.record(payload.seq) === 1 && payload.seq >= skip) started.add(performance.now() - payload.sentAt);
      },
      onCompleted: (payload) => {
        if (payload.seq >= skip) completed.add(performance.now() - payload.sentAt);
      },
    });
    const meter = env.createMeter();
    await meter.start();
    const arrivals = await publishOnSchedule(system, events, rate, (i) => payloads[i] as BenchPayload);
    const endAt = await waitForCompleted(system, events);
    const window = await meter.stop(events, endAt);
    await system.stopWorkers();
    const counts = await system.counts();
    const s = started.summary();
    const c = completed.summary();
    return [
      {
        phase: `${Math.round(rate).toLocaleString('en')} events/s`,
        window,
        extra: {
          'start p50 ms': s.p50,
          'start p99 ms': s.p99,
          'start p99.9 ms': s.p999,
          'start max ms': s.max,
          'completed p50 ms': c.p50,
          'completed p99 ms': c.p99,
          'completed p99.9 ms': c.p999,
          'completed max ms': c.max,
          'publish lag max ms': arrivals.maxLagMs,
        },
        check: exactDrainCheck(counts, events, ledger.check()),
      },
    ];
  } finally {
    await system.close();
  }
}
