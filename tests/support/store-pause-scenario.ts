/**
 * A network pause between some workers and their store, longer than the lease, driven
 * through {@link TcpProxy}; store-agnostic (Redis and PostgreSQL each pass their own
 * `openStore`). Workers A1 and A2 reach the store through the proxy, worker B directly.
 *
 * What it checks, with exact counts:
 * - no two live runs of one row overlap: every run of A's was aborted (ctx.signal) before
 *   B started the same row;
 * - A's health turns unhealthy during the pause, with one outage warning per service, and
 *   healthy again after it, with one recovery line;
 * - A1.stop() during the pause resolves within its shutdown deadline plus the grace for
 *   the final writes;
 * - the rows A lost are run by B at normal concurrency (none isolated), and A2 works at
 *   normal concurrency after the pause;
 * - accounting: every row COMPLETED exactly once; every other run of a row was aborted (lease
 *   lost, shutdown) or finished but had its completion refused, as A's log says per row. A
 *   completion whose reply the pause held back past its deadline is logged as a store error:
 *   it may have been written (the statement reached the server before the pause) or not, and
 *   the count of rows, runs and written completions has to come out exact either way.
 */
import { performance } from 'node:perf_hooks';
import { expect } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  ErrorCode,
  isEventyardError,
  type EventStore,
  type Eventyard,
  type Logger,
  type Service,
} from '../../src/index.js';
import { waitUntil } from './rows.js';
import { startTcpProxy } from './tcp-proxy.js';

const RQ_PAUSE = defineMessageType({
  name: 'RQ_PAUSE',
  schema: z.object({ n: z.number() }),
  retry: { maxAttempts: 10, backoff: 'fixed', delayMs: 10, jitter: false },
});

export const OUTAGE_WARNING = 'the store does not answer; reporting unhealthy until it does';
export const RECOVERY_LINE = 'the store answers again; reporting healthy';

interface Run {
  readonly worker: string;
  readonly eventId: string;
  readonly start: number;
  end?: number;
  abortedWith?: string;
}

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface StorePauseScenario {
  readonly target: { readonly host: string; readonly port: number };
  /**
   * Opens a store reaching the server at `endpoint` (the proxy, or the target itself);
   * may be async (PostgreSQL connects and migrates when it opens).
   */
  readonly openStore: (endpoint: { host: string; port: number }) => EventStore | Promise<EventStore>;
  readonly events?: number;
  readonly leaseMs?: number;
  readonly pauseMs?: number;
}

export interface StorePauseReport {
  readonly runs: number;
  readonly abortedRuns: number;
  readonly refusedCompletions: number;
  /** Completions that failed at their deadline (reply held back) but had been written. */
  readonly writtenDespiteStoreError: number;
  readonly stopMs: number;
  readonly unhealthyAfterMs: number;
  readonly takenOverMostAtOnce: number;
  readonly attemptsWithoutRun: number;
}

export async function runStorePauseScenario(scenario: StorePauseScenario): Promise<StorePauseReport> {
  const events = scenario.events ?? 600;
  const leaseMs = scenario.leaseMs ?? 2000;
  const pauseMs = scenario.pauseMs ?? 3 * leaseMs;
  const shutdownTimeoutMs = 1000;
  // Most runs are short; every tenth outlives the lease (kept alive by heartbeats), so the
  // pause finds A in the middle of some and the local clock has to abort them.
  const workMsOf = (n: number): number => (n % 10 === 0 ? leaseMs + 500 : 150);
  const storeTimeoutMs = Math.floor(leaseMs / 3);
  const proxy = await startTcpProxy({ targetHost: scenario.target.host, targetPort: scenario.target.port });
  const viaProxy = { host: proxy.host, port: proxy.port };
  const runs: Run[] = [];
  const running = new Map<string, number>();
  const runningLong = new Map<string, number>();
  let takenOverRunning = 0;
  let takenOverMost = 0;
  const ranInA = new Set<string>();
  const apps: Eventyard[] = [];
  const loggers = new Map<string, ReturnType<typeof recordingLogger>>();
  const services = new Map<string, Service>();

  const worker = async (name: string, endpoint: { host: string; port: number }, retry: boolean): Promise<Service> => {
    const logger = recordingLogger();
    loggers.set(name, logger);
    const app = createEventyard({ store: await scenario.openStore(endpoint), messageTypes: [RQ_PAUSE], logger });
    apps.push(app);
    const service = app
      .service({
        name,
        leaseMs,
        concurrency: 8,
        shutdownTimeoutMs,
        idleMinMs: 5,
        idleMaxMs: 100,
        runRetryMechanism: retry,
        retryMechanism: { intervalMs: 100, reapRetryDelayMs: 0 },
      })
      .handle(RQ_PAUSE, async (ctx) => {
        const eventId = ctx.message.eventId;
        const run: Run = { worker: name, eventId, start: performance.now() };
        runs.push(run);
        const workMs = workMsOf(ctx.payload.n);
        const long = workMs > leaseMs;
        running.set(name, (running.get(name) ?? 0) + 1);
        if (long) runningLong.set(name, (runningLong.get(name) ?? 0) + 1);
        const takenOver = name === 'B' && ranInA.has(eventId);
        if (name !== 'B') ranInA.add(eventId);
        if (takenOver) takenOverMost = Math.max(takenOverMost, ++takenOverRunning);
        try {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, workMs);
            ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
          });
        } finally {
          run.end = performance.now();
          running.set(name, (running.get(name) ?? 1) - 1);
          if (long) runningLong.set(name, (runningLong.get(name) ?? 1) - 1);
          if (takenOver) takenOverRunning--;
        }
        if (ctx.signal.aborted) {
          const reason: unknown = ctx.signal.reason;
          run.abortedWith = isEventyardError(reason) ? reason.code : String(reason);
          throw reason;
        }
      });
    services.set(name, service);
    return service;
  };

  const control = createEventyard({ store: await scenario.openStore(scenario.target), messageTypes: [RQ_PAUSE] });
  apps.push(control);
  const completed = async (): Promise<number> =>
    (await control.countByStatus({ statuses: ['COMPLETED'] })).reduce((n, c) => n + c.count, 0);
  try {
    const published = await control.publishMany(
      Array.from({ length: events }, (_, n) => ({ type: RQ_PAUSE, payload: { n } })),
    );
    expect(published.filter((r) => r.created)).toHaveLength(events);
    const a1 = (await worker('A1', viaProxy, true)).start();
    const a2 = (await worker('A2', viaProxy, true)).start();
    const b = (await worker('B', scenario.target, true)).start();
    await waitUntil(
      'A1 and A2 both run a handler longer than the lease, and work has been done',
      async () => (runningLong.get('A1') ?? 0) > 0 && (runningLong.get('A2') ?? 0) > 0 && (await completed()) >= 40,
      30_000,
    );
    expect(a1.health().healthy && a2.health().healthy).toBe(true);

    proxy.pause();
    const pausedAt = performance.now();
    await waitUntil('A1 and A2 report unhealthy', async () => !a1.health().healthy && !a2.health().healthy, 5000);
    const unhealthyAfterMs = performance.now() - pausedAt;
    expect(b.health().healthy).toBe(true);

    await new Promise((r) => setTimeout(r, Math.max(0, leaseMs / 2 - (performance.now() - pausedAt))));
    const stopStarted = performance.now();
    await a1.stop();
    const stopMs = performance.now() - stopStarted;
    // The deadline, plus at most min(1 s, storeTimeoutMs) for the final writes; margin for a loaded machine.
    expect(stopMs).toBeLessThan(shutdownTimeoutMs + Math.min(1000, storeTimeoutMs) + 1000);

    await new Promise((r) => setTimeout(r, Math.max(0, pauseMs - (performance.now() - pausedAt))));
    expect(a2.health().healthy).toBe(false);
    proxy.resume();

    await waitUntil('every row is COMPLETED', async () => (await completed()) === events, 120_000);
    await waitUntil('A2 reports healthy again', async () => a2.health().healthy, 10_000);

    // A2 works at normal concurrency after the pause: B stops, new work goes to A2 alone.
    await b.stop();
    const before = a2.stats().processors['request']?.completed ?? 0;
    const more = 80;
    await control.publishMany(Array.from({ length: more }, (_, n) => ({ type: RQ_PAUSE, payload: { n: events + n } })));
    let mostInA2 = 0;
    await waitUntil(
      'A2 completes the new work',
      async () => {
        mostInA2 = Math.max(mostInA2, running.get('A2') ?? 0);
        return (await completed()) === events + more;
      },
      60_000,
    );
    await a2.stop();
    expect((a2.stats().processors['request']?.completed ?? 0) - before).toBe(more);

    // Health and logs: one outage warning and one recovery line per service, nothing per poll.
    const a1Log = loggers.get('A1')?.lines ?? [];
    const a2Log = loggers.get('A2')?.lines ?? [];
    expect(a1Log.filter((l) => l.msg === OUTAGE_WARNING)).toHaveLength(1);
    expect(a2Log.filter((l) => l.msg === OUTAGE_WARNING)).toHaveLength(1);
    expect(a2Log.filter((l) => l.msg === RECOVERY_LINE)).toHaveLength(1);
    for (const lines of [a1Log, a2Log]) {
      expect(lines.filter((l) => /claim failed|pass failed/.test(l.msg))).toEqual([]);
    }

    // No isolation after the pause: the rows A lost ran side by side in B.
    for (const service of services.values()) expect(service.stats().processors['request']?.isolated).toBe(0);

    // No overlapping live runs of one row, and every run accounted for.
    const total = events + more;
    const byRow = new Map<string, Run[]>();
    for (const run of runs) byRow.set(run.eventId, [...(byRow.get(run.eventId) ?? []), run]);
    expect(byRow.size).toBe(total);
    const refused = new Map<string, number>();
    const unknown = new Map<string, number>();
    for (const line of [...a1Log, ...a2Log, ...(loggers.get('B')?.lines ?? [])]) {
      if (line.msg.startsWith('outcome not written') && line.fields['kind'] === 'completed') {
        const id = String(line.fields['eventId']);
        const into = line.fields['outcome'] === 'store_error' ? unknown : refused;
        into.set(id, (into.get(id) ?? 0) + 1);
      }
    }
    let aborted = 0;
    let writtenDespiteStoreError = 0;
    for (const [eventId, rowRuns] of byRow) {
      rowRuns.sort((x, y) => x.start - y.start);
      for (let i = 1; i < rowRuns.length; i++) {
        const previous = rowRuns[i - 1] as Run;
        expect(previous.end, `run ${i - 1} of ${eventId} never ended`).toBeDefined();
        expect(previous.end as number, `two live runs of ${eventId} overlapped`).toBeLessThanOrEqual(
          (rowRuns[i] as Run).start,
        );
      }
      const abortedHere = rowRuns.filter((r) => r.abortedWith !== undefined);
      for (const run of abortedHere) expect([ErrorCode.LEASE_LOST, ErrorCode.SHUTDOWN]).toContain(run.abortedWith);
      aborted += abortedHere.length;
      // Exactly one completion was written; every other finished run had its completion
      // refused, or failed at its deadline unanswered (store_error). That one completion came
      // from a run whose call succeeded, or from one whose call failed unanswered.
      const unanswered = unknown.get(eventId) ?? 0;
      const unexplained = rowRuns.length - abortedHere.length - (refused.get(eventId) ?? 0) - unanswered;
      expect(unexplained === 1 || (unexplained === 0 && unanswered > 0), `unexplained run of ${eventId}`).toBe(true);
      if (unexplained === 0) writtenDespiteStoreError++;
    }
    const statsCompleted = [...services.values()].reduce(
      (n, s) => n + (s.stats().processors['request']?.completed ?? 0),
      0,
    );
    expect(statsCompleted + writtenDespiteStoreError).toBe(total);
    const rows = (await control.list({ limit: total + 10 })).rows;
    expect(rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(total);
    let attemptsWithoutRun = 0;
    for (const row of rows) {
      const runsOfRow = byRow.get(row.eventId)?.length ?? 0;
      expect(row.attempts).toBeGreaterThanOrEqual(runsOfRow);
      attemptsWithoutRun += row.attempts - runsOfRow;
    }
    expect(aborted).toBeGreaterThan(0); // the pause really cut runs short
    expect(takenOverMost).toBeGreaterThan(1);
    return {
      runs: runs.length,
      abortedRuns: aborted,
      refusedCompletions: [...refused.values()].reduce((a, n) => a + n, 0),
      writtenDespiteStoreError,
      stopMs: Math.round(stopMs),
      unhealthyAfterMs: Math.round(unhealthyAfterMs),
      takenOverMostAtOnce: takenOverMost,
      attemptsWithoutRun,
    };
  } finally {
    proxy.resume();
    for (const service of services.values()) await service.stop();
    for (const app of apps) await app.close();
    await proxy.stop();
  }
}
