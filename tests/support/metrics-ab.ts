/**
 * A/B of what eventyard/metrics costs a W2-style drain on SQLite, in one process: each run
 * pre-loads `events` 1 KB events (tests/support/backlog.ts) into a fresh WAL file, then
 * one service at concurrency 32 drains them with a no-op handler. B adds createMetrics
 * (every hook counted, backlog gauges on) and scrapes its text every `scrapeMs`
 * (Prometheus' default is 15 s). Runs alternate A B A B after one warm-up pair; the figures
 * are medians of events/s and of CPU time per event (user + system of this process, the
 * figure this shared machine's noise disturbs least), and the medians of the per-pair ratios.
 *
 *   npm run build && node --import tsx tests/support/metrics-ab.ts [pairs=8] [events=30000] [scrapeMs=5000]
 *
 * It runs the compiled dist/ code, as the benchmark does.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Root from '../../src/index.js';
import type * as Metrics from '../../src/metrics/index.js';
import type * as Sqlite from '../../src/stores/sqlite/index.js';
import type { CompleteRequest, EventStore } from '../../src/store/port.js';
import { publishBacklog } from './backlog.js';

const [pairsArg = '8', eventsArg = '30000', scrapeArg = '5000'] = process.argv.slice(2);
const pairs = Number(pairsArg);
const events = Number(eventsArg);
const scrapeMs = Number(scrapeArg);
const dist = new URL('../../dist/', import.meta.url);
const root = (await import(new URL('index.js', dist).href)) as typeof Root;
const { createMetrics } = (await import(new URL('metrics/index.js', dist).href)) as typeof Metrics;
const { createSqliteStore } = (await import(new URL('stores/sqlite/index.js', dist).href)) as typeof Sqlite;

const TYPE = root.defineMessageType({
  name: 'IN_BENCH',
  schema: { '~standard': { version: 1, vendor: 'ab', validate: (value: unknown) => ({ value }) } },
});

/** Counts completions the store confirmed (as bench/systems/eventyard.ts does). */
function counting(store: EventStore, onOk: (n: number) => void): EventStore {
  const complete = async (requests: readonly CompleteRequest[]): Promise<readonly ('ok' | 'lease_lost')[]> => {
    const outcomes = await store.complete(requests);
    onOk(outcomes.filter((o) => o === 'ok').length);
    return outcomes;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'complete') return complete;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

interface Run {
  readonly perSecond: number;
  /** CPU time of this process (user + system) per event during the drain. */
  readonly cpuUs: number;
}

async function once(withMetrics: boolean, label: string): Promise<Run> {
  const path = join(tmpdir(), `eventyard-metrics-ab-${process.pid}-${label}.db`);
  const clean = (): void => ['', '-wal', '-shm'].forEach((s) => rmSync(path + s, { force: true }));
  clean();
  const inner = createSqliteStore({ path });
  await publishBacklog(inner, events, { messageType: 'IN_BENCH', table: 'inbound', createdBy: 'AB' });
  let completed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const store = counting(inner, (n) => {
    completed += n;
    if (completed >= events) done();
  });
  const app = root.createEventyard({ store, messageTypes: [TYPE], logger: root.silentLogger });
  const metrics = withMetrics ? createMetrics({ app }) : undefined;
  let scrapes = 0;
  const scraper =
    metrics === undefined ? undefined : setInterval(() => void metrics.text().then(() => scrapes++), scrapeMs);
  const service = app.service({ name: 'AB', concurrency: 32 }).handle(TYPE, () => undefined);
  const began = performance.now();
  const cpu = process.cpuUsage();
  service.start();
  await finished;
  const seconds = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(scraper);
  await service.stop(); // the last outcomes' hooks run after the store confirmed them
  if (metrics !== undefined) {
    const text = await metrics.text();
    const line = text.split('\n').find((l) => l.startsWith('eventyard_messages_completed_total{'));
    if (line === undefined || !line.endsWith(` ${events}`)) throw new Error(`metrics counted wrong: ${line}`);
    metrics.close();
  }
  await app.close();
  clean();
  if (metrics !== undefined && scrapes === 0 && seconds * 1000 > scrapeMs * 2) throw new Error('no scrape ran');
  return { perSecond: events / seconds, cpuUs: (used.user + used.system) / events };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const a: Run[] = [];
const b: Run[] = [];
const idle: Run = { perSecond: 0, cpuUs: 0 };
for (let pair = 0; pair <= pairs; pair++) {
  // Alternate which goes first, so neither always runs on the warmer heap.
  const first = pair % 2 === 0;
  const ra = first ? await once(false, 'a') : idle;
  const rb = await once(true, 'b');
  const ra2 = first ? ra : await once(false, 'a');
  if (pair === 0) continue; // warm-up
  a.push(ra2);
  b.push(rb);
  console.log(
    `pair ${pair}: without ${ra2.perSecond.toFixed(0)}/s ${ra2.cpuUs.toFixed(1)} µs CPU/event, ` +
      `with metrics ${rb.perSecond.toFixed(0)}/s ${rb.cpuUs.toFixed(1)} µs CPU/event`,
  );
}
const ratio = (pick: (r: Run) => number): string => median(a.map((x, i) => pick(b[i] as Run) / pick(x))).toFixed(3);
console.log(
  `${pairs} pairs of ${events} events, scrape every ${scrapeMs} ms: ` +
    `events/s median without ${median(a.map((r) => r.perSecond)).toFixed(0)}, with ${median(b.map((r) => r.perSecond)).toFixed(0)}, median ratio with/without ${ratio((r) => r.perSecond)}; ` +
    `CPU µs/event median without ${median(a.map((r) => r.cpuUs)).toFixed(1)}, with ${median(b.map((r) => r.cpuUs)).toFixed(1)}, median ratio ${ratio((r) => r.cpuUs)}`,
);
