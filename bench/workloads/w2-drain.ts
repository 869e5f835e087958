/**
 * W2 drain: a pre-loaded backlog of `events` 1 KB events, a no-op handler at
 * `concurrency`; the window runs from starting the workers to the store counting every
 * event COMPLETED. Exact check: every event COMPLETED once, none left in any other state,
 * the handler ran once per event.
 */
import { performance } from 'node:perf_hooks';
import { makePayloads, SeqLedger } from '../harness/payloads.js';
import { exactDrainCheck, waitForCompleted } from './completion.js';
import { preload } from './preload.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

export async function drain(env: RunEnv): Promise<PhaseResult[]> {
  const events = param(env.spec.params, 'events');
  const concurrency = param(env.spec.params, 'concurrency');
  const system = await env.createSystem();
  try {
    const preloadSeconds = await preload(system, makePayloads(events));
    const ledger = new SeqLedger(events);
    const meter = env.createMeter();
    await meter.start();
    await system.startWorkers({ concurrency, handle: ({ payload }) => void ledger.record(payload.seq) });
    const endAt = await waitForCompleted(system, events);
    const window = await meter.stop(events, endAt);
    const settleStarted = performance.now();
    await system.stopWorkers();
    const counts = await system.counts();
    return [
      {
        phase: `concurrency ${concurrency}`,
        window,
        extra: { 'preload s': preloadSeconds, 'stop s': (performance.now() - settleStarted) / 1000 },
        check: exactDrainCheck(counts, events, ledger.check()),
      },
    ];
  } finally {
    await system.close();
  }
}
