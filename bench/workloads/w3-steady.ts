/**
 * W3 steady state: publish on a clock schedule and process at concurrency 32 together;
 * find the highest arrival rate at which the backlog (published − confirmed COMPLETED)
 * stays flat. Probes of `probeSeconds` search the rate (doubling up from `startRate`, then
 * bisecting); the best flat rate is then held for `confirmSeconds` (the issue's ≥ 60 s in
 * the full suite), stepping down 15% (at most five times) until a confirmation holds. Between probes the
 * backlog drains. The backlog is the events due by the schedule minus those confirmed
 * COMPLETED. "Flat": every event of the probe was published (a probe is cut short a second
 * after its length), and over its second half the backlog grows by less than 2% of the rate
 * per second and ends below a quarter second of arrivals.
 */
import { performance } from 'node:perf_hooks';
import { makePayload, SeqLedger } from '../harness/payloads.js';
import type { QueueSystem } from '../systems/types.js';
import { publishOnSchedule } from './arrivals.js';
import { exactDrainCheck, waitForCompleted } from './completion.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

interface Probe {
  readonly rate: number;
  readonly flat: boolean;
  readonly growthPerSecond: number;
  readonly finalBacklog: number;
  /** Events actually published: fewer than rate × seconds when the publisher fell behind. */
  readonly published: number;
}

/** How long past its length a probe may go on publishing before it is cut short. */
const PROBE_GRACE_MS = 1000;

export async function probe(system: QueueSystem, rate: number, seconds: number, firstSeq: number): Promise<Probe> {
  const count = Math.round(rate * seconds);
  const baseCompleted = system.completedSoFar();
  const samples: { t: number; backlog: number }[] = [];
  const start = performance.now();
  // The backlog is counted from the schedule, not from the publish calls that returned: a
  // system whose publish cannot keep the rate falls behind here too, instead of looking
  // flat because it takes fewer events in.
  const sampler = setInterval(() => {
    const t = (performance.now() - start) / 1000;
    const due = Math.min(count, Math.floor(t * rate));
    samples.push({ t, backlog: due - (system.completedSoFar() - baseCompleted) });
  }, 250);
  let published: number;
  try {
    ({ published } = await publishOnSchedule(system, count, rate, (i) => makePayload(firstSeq + i), {
      deadlineMs: seconds * 1000 + PROBE_GRACE_MS,
    }));
  } finally {
    clearInterval(sampler);
  }
  const half = samples.filter((s) => s.t >= seconds / 2);
  const first = half[0] ?? { t: 0, backlog: 0 };
  const last = half[half.length - 1] ?? first;
  const growthPerSecond = last.t > first.t ? (last.backlog - first.backlog) / (last.t - first.t) : 0;
  const finalBacklog = last.backlog;
  const flat = published === count && growthPerSecond < 0.02 * rate && finalBacklog < 0.25 * rate;
  // `W3_TRACE=1`: each probe's verdict and its backlog once a second, on stderr.
  if (process.env['W3_TRACE'] === '1') {
    const trace = samples.filter((_, i) => i % 4 === 3).map((s) => s.backlog);
    console.error(JSON.stringify({ rate, seconds, published, growthPerSecond, finalBacklog, flat, backlog: trace }));
  }
  return { rate, growthPerSecond, finalBacklog, published, flat };
}

export async function steady(env: RunEnv): Promise<PhaseResult[]> {
  const startRate = param(env.spec.params, 'startRate');
  const probeSeconds = param(env.spec.params, 'probeSeconds');
  const confirmSeconds = param(env.spec.params, 'confirmSeconds');
  const steps = param(env.spec.params, 'steps');
  const maxEvents = param(env.spec.params, 'maxEvents');
  const system = await env.createSystem();
  const ledger = new SeqLedger(maxEvents);
  let seq = 0;
  const settle = async (): Promise<void> => void (await waitForCompleted(system, seq, 120_000));
  const run = async (rate: number, seconds: number): Promise<Probe> => {
    if (seq + Math.round(rate * seconds) > maxEvents) throw new Error(`W3 would pass maxEvents ${maxEvents}`);
    const result = await probe(system, rate, seconds, seq);
    seq += result.published;
    await settle();
    return result;
  };
  try {
    await system.startWorkers({ concurrency: 32, handle: ({ payload }) => void ledger.record(payload.seq) });
    await run(startRate / 2, Math.min(5, probeSeconds)); // warm-up
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let rate = startRate;
    const probes: Probe[] = [];
    for (let i = 0; i < steps; i++) {
      const p = await run(rate, probeSeconds);
      probes.push(p);
      if (p.flat) lo = Math.max(lo, rate);
      else hi = Math.min(hi, rate);
      rate = Number.isFinite(hi) ? (lo + hi) / 2 : rate * 2;
    }
    let held = lo;
    const meter = env.createMeter();
    let confirmed: Probe | undefined;
    for (let attempt = 0; attempt < 5 && held > 0; attempt++) {
      await meter.start();
      if (seq + Math.round(held * confirmSeconds) > maxEvents) throw new Error(`W3 would pass maxEvents ${maxEvents}`);
      const begin = seq;
      confirmed = await probe(system, held, confirmSeconds, seq);
      seq += confirmed.published;
      const window = await meter.stop(seq - begin);
      await settle();
      if (confirmed.flat) {
        await system.stopWorkers();
        const counts = await system.counts();
        const found = ledger.check();
        const check = exactDrainCheck(counts, seq, {
          missing: found.missing - (maxEvents - seq),
          duplicates: found.duplicates,
        });
        return [
          {
            phase: `highest flat rate, held ${confirmSeconds} s`,
            window,
            extra: {
              'flat rate events/s': held,
              'backlog growth (events per second)': confirmed.growthPerSecond,
              'final backlog': confirmed.finalBacklog,
              probes: probes.length,
            },
            check,
          },
        ];
      }
      held = Math.round(held * 0.85);
    }
    throw new Error(`W3: no flat rate confirmed (probes: ${JSON.stringify(probes)})`);
  } finally {
    await system.close();
  }
}
