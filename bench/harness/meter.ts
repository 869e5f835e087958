/**
 * Measures one window inside a run: wall time, CPU of this Node process
 * (process.cpuUsage, every thread), CPU of the server (Redis: INFO used_cpu_*; PostgreSQL:
 * the cluster's processes from /proc), client → server round trips, Redis commands (INFO
 * commandstats) or PostgreSQL write transactions and WAL bytes, peak RSS sampled every
 * 50 ms, and the CPU that other processes used meanwhile (machine busy time from /proc/stat
 * minus this process and the server), which marks a contended run.
 */
import { performance } from 'node:perf_hooks';
import { machineBusySeconds } from './machine.js';
import { pgRoundTrips } from './pg-probe.js';
import { roundTrips } from './round-trips.js';
import type { ServerProbe, ServerSample } from './server-probe.js';
import type { WindowProfiler } from './window-profiler.js';

export interface WindowFigures {
  readonly seconds: number;
  /** Events (or flows) counted in the window: the divisor of every per-event figure. */
  readonly events: number;
  readonly perSecond: number;
  readonly nodeCpuMsPerEvent: number;
  /** NaN for embedded stores (their work is in the Node process). */
  readonly serverCpuMsPerEvent: number;
  readonly roundTripsPerEvent: number;
  /** Redis commands per event; NaN for PostgreSQL (see writeTransactionsPerEvent). */
  readonly serverCommandsPerEvent: number;
  /** PostgreSQL: transactions that wrote (took a transaction id) per event; NaN otherwise. */
  readonly writeTransactionsPerEvent?: number;
  /** PostgreSQL: WAL bytes inserted per event; NaN otherwise. */
  readonly walBytesPerEvent?: number;
  readonly peakRssMiB: number;
  /** Average cores used by other processes during the window. */
  readonly otherCores: number;
  readonly topCommands: Readonly<Record<string, number>>;
}

interface Start {
  readonly at: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly busy: number;
  readonly trips: number;
  readonly server: ServerSample | undefined;
}

export class Meter {
  #start: Start | undefined;
  #peakRss = 0;
  #sampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: ServerProbe | undefined,
    private readonly profiler?: WindowProfiler,
  ) {}

  #trips(): number {
    return this.probe?.kind === 'postgres' ? pgRoundTrips() : roundTrips();
  }

  async start(): Promise<void> {
    await this.probe?.settle?.();
    await this.profiler?.start();
    const server = this.probe ? await this.probe.sample() : undefined;
    this.#peakRss = process.memoryUsage.rss();
    this.#sampler = setInterval(() => {
      this.#peakRss = Math.max(this.#peakRss, process.memoryUsage.rss());
    }, 50);
    this.#sampler.unref();
    this.#start = {
      at: performance.now(),
      cpu: process.cpuUsage(),
      busy: machineBusySeconds(),
      trips: this.#trips(),
      server,
    };
  }

  /** Ends the window at `endAt` (performance.now() when the last event was confirmed), or now. */
  async stop(events: number, endAt = performance.now()): Promise<WindowFigures> {
    const start = this.#start;
    if (start === undefined) throw new Error('Meter.stop() before start()');
    await this.profiler?.stop();
    const cpu = process.cpuUsage(start.cpu);
    const busy = machineBusySeconds() - start.busy;
    const trips = this.#trips() - start.trips;
    clearInterval(this.#sampler);
    this.#peakRss = Math.max(this.#peakRss, process.memoryUsage.rss());
    const server = this.probe && start.server ? diffServer(start.server, await this.probe.sample()) : undefined;
    const pgServer = this.probe?.kind === 'postgres';
    const seconds = (endAt - start.at) / 1000;
    const nodeCpuSeconds = (cpu.user + cpu.system) / 1e6;
    // The machine counters run until now, not endAt: compare like with like.
    const elapsed = (performance.now() - start.at) / 1000;
    const other = (busy - nodeCpuSeconds - (server?.cpuSeconds ?? 0)) / elapsed;
    this.#start = undefined;
    return {
      seconds,
      events,
      perSecond: events / seconds,
      nodeCpuMsPerEvent: (nodeCpuSeconds * 1000) / events,
      serverCpuMsPerEvent: server ? (server.cpuSeconds * 1000) / events : NaN,
      roundTripsPerEvent: this.probe ? trips / events : NaN,
      serverCommandsPerEvent: server && !pgServer ? server.total / events : NaN,
      writeTransactionsPerEvent: server && pgServer ? server.total / events : NaN,
      walBytesPerEvent: server && pgServer ? server.walBytes / events : NaN,
      peakRssMiB: this.#peakRss / 2 ** 20,
      otherCores: Math.max(0, other),
      topCommands: server ? top(server.byCommand, events) : {},
    };
  }
}

function diffServer(
  a: ServerSample,
  b: ServerSample,
): { cpuSeconds: number; total: number; walBytes: number; byCommand: Map<string, number> } {
  const byCommand = new Map<string, number>();
  let total = 0;
  for (const [name, calls] of b.commands) {
    const delta = calls - (a.commands.get(name) ?? 0);
    if (delta > 0) {
      byCommand.set(name, delta);
      total += delta;
    }
  }
  return {
    cpuSeconds: b.cpuSeconds - a.cpuSeconds,
    total,
    walBytes: (b.walBytes ?? NaN) - (a.walBytes ?? NaN),
    byCommand,
  };
}

/** The eight most frequent commands, per event. */
function top(byCommand: ReadonlyMap<string, number>, events: number): Record<string, number> {
  return Object.fromEntries(
    [...byCommand]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8)
      .map(([name, calls]) => [name, Math.round((calls / events) * 1000) / 1000]),
  );
}
