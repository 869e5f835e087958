/**
 * What the hooks and the outcome logging cost a W2-like drain (1 KB events, a no-op
 * handler, one service at concurrency 32, SQLite WAL file), in one process, alternating:
 *
 *   base      a build without hooks (e.g. the commit before them, unpacked and built)
 *   none      this build, no listener
 *   listening this build, a counting listener on every hook (app and service)
 *
 *   npm run build
 *   mkdir /tmp/base && git archive <commit> | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/
 *   (cd /tmp/base && npm run build)
 *   node --import tsx tests/support/hooks-ab.ts /tmp/base . [rounds=8] [rows=20000]
 *
 * Prints, per variant, the medians of events/s (wall) and of CPU µs per event (user +
 * system of this process, which runs SQLite too: less sensitive to other load on a shared
 * machine than wall time), and the medians of the per-round ratios to base.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type * as Root from '../../src/index.js';
import type { EventStore } from '../../src/store/port.js';
import { publishBacklog } from './backlog.js';

type Build = {
  root: typeof Root;
  createSqliteStore: (options: { path: string }) => EventStore;
};

const [baseDir, thisDir, roundsArg = '8', rowsArg = '20000'] = process.argv.slice(2);
if (baseDir === undefined || thisDir === undefined) {
  console.error('usage: hooks-ab.ts <base checkout> <this checkout> [rounds] [rows]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const rows = Number(rowsArg);

async function load(dir: string): Promise<Build> {
  const url = (p: string): string => pathToFileURL(join(resolve(dir), 'dist', p)).href;
  const root = (await import(url('index.js'))) as typeof Root;
  const sqlite = (await import(url('stores/sqlite/index.js'))) as Pick<Build, 'createSqliteStore'>;
  return { root, createSqliteStore: sqlite.createSqliteStore };
}

const HOOKS = [
  'published',
  'claimed',
  'started',
  'completed',
  'retryScheduled',
  'failed',
  'released',
  'leaseLost',
] as const;

interface Figures {
  /** Events per second, wall time. */
  rate: number;
  /** CPU microseconds per event. */
  cpu: number;
}

/** One drain of `rows` pre-loaded events. */
async function drain(build: Build, label: string, listen: boolean): Promise<Figures> {
  const path = join(tmpdir(), `eventyard-hooks-ab-${label}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const store = build.createSqliteStore({ path });
  await publishBacklog(store, rows, { messageType: 'RQ_W', table: 'request', createdBy: 'EXTERNAL', batch: 500 });
  const { createEventyard, defineMessageType, silentLogger } = build.root;
  const RQ_W = defineMessageType({ name: 'RQ_W', schema: z.object({ seq: z.number(), data: z.string() }) });
  const app = createEventyard({ store, messageTypes: [RQ_W], logger: silentLogger });
  const service = app.service({ name: 'W', concurrency: 32, batchSize: 64, idleMinMs: 1, idleMaxMs: 5 });
  service.handle(RQ_W, () => undefined);
  let heard = 0;
  if (listen) {
    const count = (): void => {
      heard++;
    };
    const on = (app as { on?: (name: string, fn: () => void) => void }).on;
    if (on === undefined) throw new Error(`${label}: this build has no hooks`);
    for (const name of HOOKS) {
      on(name, count);
      (service as unknown as { on: (name: string, fn: () => void) => void }).on(name, count);
    }
  }
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  service.start();
  for (;;) {
    const done = service.stats().processors['request']?.completed ?? 0;
    if (done >= rows) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  await app.close();
  if (listen && heard < rows * 2) throw new Error(`${label}: the listeners heard only ${heard} events`);
  return { rate: (rows * 1000) / ms, cpu: (cpu.user + cpu.system) / rows };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};

const base = await load(baseDir);
const current = await load(thisDir);
type Variant = 'base' | 'none' | 'listening';
const variants: Record<Variant, () => Promise<Figures>> = {
  base: () => drain(base, 'base', false),
  none: () => drain(current, 'none', false),
  listening: () => drain(current, 'listening', true),
};
const order: Variant[] = ['base', 'none', 'listening'];
const results: Record<Variant, Figures>[] = [];
for (let round = 0; round < rounds; round++) {
  // Rotate the order so a drift of the machine's speed favours no variant.
  const result = {} as Record<Variant, Figures>;
  for (let i = 0; i < order.length; i++) {
    const variant = order[(i + round) % order.length] as Variant;
    result[variant] = await variants[variant]();
  }
  results.push(result);
  const shown = order.map((v) => `${v} ${result[v].rate.toFixed(0)}/s ${result[v].cpu.toFixed(1)} µs`);
  console.log(`round ${round + 1}: ${shown.join('  ')}`);
}
for (const v of order) {
  const rate = median(results.map((r) => r[v].rate));
  const cpu = median(results.map((r) => r[v].cpu));
  const rateRatio = median(results.map((r) => r[v].rate / r.base.rate));
  const cpuRatio = median(results.map((r) => r[v].cpu / r.base.cpu));
  console.log(
    `${v.padEnd(10)} ${rate.toFixed(0)} events/s (ratio to base ${rateRatio.toFixed(3)}), ` +
      `${cpu.toFixed(1)} CPU µs/event (ratio to base ${cpuRatio.toFixed(3)})`,
  );
}
