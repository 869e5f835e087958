/**
 * W6 failures, two phases.
 * - Retry path: a drain of `events` where 10% of the events (seq % 10 === 0) fail their
 *   first attempt; every event must end COMPLETED, the failing ones handled exactly twice.
 *   Skipped for systems without retries (plainjob).
 * - Worker crash: `killEvents` events are claimed by a worker in another process whose
 *   handler never returns; that process gets SIGKILL, a worker starts here at once, and the
 *   figure is the time from the kill until the store counts all of them COMPLETED (lease /
 *   lock expiry plus the system's detection interval, both set to `leaseMs`). Skipped for
 *   graphile-worker (a dead worker's jobs stay locked for 4 hours).
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CHILD_EXEC_ARGV } from '../harness/exec-argv.js';
import { makePayloads, SeqLedger } from '../harness/payloads.js';
import { SystemName, type SystemOptions } from '../systems/types.js';
import { exactDrainCheck, waitForCompleted } from './completion.js';
import { preload } from './preload.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

const WORKER = fileURLToPath(new URL('../worker-process.ts', import.meta.url));

async function retryPhase(env: RunEnv, events: number): Promise<PhaseResult> {
  const system = await env.createSystem();
  try {
    await preload(system, makePayloads(events));
    const ledger = new SeqLedger(events);
    const meter = env.createMeter();
    await meter.start();
    await system.startWorkers({
      concurrency: 32,
      handle: ({ payload, attempt }) => {
        ledger.record(payload.seq);
        if (payload.seq % 10 === 0 && attempt === 1) throw new Error('fails once');
      },
    });
    const endAt = await waitForCompleted(system, events, 60_000);
    const window = await meter.stop(events, endAt);
    await system.stopWorkers();
    const counts = await system.counts();
    const found = ledger.check();
    const failing = Math.ceil(events / 10);
    const check = exactDrainCheck(counts, events, { missing: found.missing, duplicates: found.duplicates - failing });
    return { phase: '10% fail once', window, extra: { retried: found.duplicates }, check };
  } finally {
    await system.close();
  }
}

function startVictim(name: SystemName, options: SystemOptions, concurrency: number, expect: number) {
  const child = fork(WORKER, [name, JSON.stringify(options), String(concurrency)], {
    execArgv: [...CHILD_EXEC_ARGV],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const started = new Set<number>();
  const claimedAll = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { started?: number }) => {
      if (m.started !== undefined) started.add(m.started);
      if (started.size >= expect) resolve();
    });
    child.once('exit', (code) => reject(new Error(`victim worker exited early (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, claimedAll, exited };
}

async function crashPhase(env: RunEnv, killEvents: number): Promise<PhaseResult> {
  const system = await env.createSystem();
  try {
    // The retry phase ran on the same server: judge this phase by what it added.
    const before = await system.counts();
    await preload(system, makePayloads(killEvents));
    const victim = startVictim(env.spec.system, env.systemOptions, killEvents, killEvents);
    await Promise.race([
      victim.claimedAll,
      new Promise((_, no) => setTimeout(() => no(new Error('victim never claimed')), 60_000)),
    ]);
    const meter = env.createMeter();
    await meter.start();
    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const ledger = new SeqLedger(killEvents);
    let firstAt = NaN;
    await system.startWorkers({
      concurrency: killEvents,
      handle: ({ payload }) => {
        if (Number.isNaN(firstAt)) firstAt = performance.now();
        ledger.record(payload.seq);
      },
    });
    const endAt = await waitForCompleted(system, killEvents, 120_000);
    const window = await meter.stop(killEvents, endAt);
    await system.stopWorkers();
    const after = await system.counts();
    const counts = {
      pending: after.pending - before.pending,
      active: after.active - before.active,
      completed: after.completed - before.completed,
      retrying: after.retrying - before.retrying,
      failed: after.failed - before.failed,
    };
    return {
      phase: `SIGKILL of a worker holding ${killEvents} events`,
      window,
      extra: { 'recovery s': (endAt - killedAt) / 1000, 'first retaken s': (firstAt - killedAt) / 1000 },
      check: exactDrainCheck(counts, killEvents, ledger.check()),
    };
  } finally {
    await system.close();
  }
}

export async function failures(env: RunEnv): Promise<PhaseResult[]> {
  const events = param(env.spec.params, 'events');
  const killEvents = param(env.spec.params, 'killEvents');
  env.note({ 'W6 lease / lock / timeout ms': env.systemOptions.leaseMs });
  const phases: PhaseResult[] = [];
  if (env.spec.system !== SystemName.PLAINJOB) phases.push(await retryPhase(env, events));
  // graphile-worker frees a dead worker's locked jobs after 4 hours, a constant it does not let
  // users change: no recovery within a run to measure.
  if (env.spec.system !== SystemName.GRAPHILE_WORKER) phases.push(await crashPhase(env, killEvents));
  return phases;
}
