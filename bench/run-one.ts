/**
 * One run in its own process, Eventyard from dist/ (`npm run build` first):
 *   node --import tsx --import ./bench/harness/compiled-src.mjs bench/run-one.ts '<RunSpec JSON>'
 * (without the second --import it runs src/ through tsx).
 * Builds the system, runs the workload, and sends the RunResult to the parent over IPC
 * (or prints it when started by hand). A fresh process per run keeps CPU time, peak RSS
 * and garbage-collector state of one system out of the other's figures.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Meter } from './harness/meter.js';
import { installPgRoundTripCounter, openPgProbe } from './harness/pg-probe.js';
import { redisProbe } from './harness/redis-server.js';
import { ignoreClient, installRoundTripCounter } from './harness/round-trips.js';
import type { ServerProbe } from './harness/server-probe.js';
import { WindowProfiler } from './harness/window-profiler.js';
import { createSystem } from './systems/index.js';
import { createPipeline } from './systems/pipelines.js';
import type { Settings, SystemOptions } from './systems/types.js';
import { WORKLOADS } from './workloads/index.js';
import type { RunResult, RunSpec } from './workloads/types.js';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as RunSpec;
  installRoundTripCounter();
  installPgRoundTripCounter();
  let probe: ServerProbe | undefined;
  if (spec.redisPort !== undefined) {
    const client = new Redis({ host: '127.0.0.1', port: spec.redisPort, lazyConnect: true });
    ignoreClient(client);
    await client.connect();
    probe = redisProbe(client);
  } else if (spec.pgUrl !== undefined) probe = await openPgProbe(spec.pgUrl);
  const workload = WORKLOADS[spec.workload];
  if (workload === undefined) throw new Error(`workload ${spec.workload} is not implemented`);
  const systemOptions: SystemOptions = {
    profile: spec.profile,
    redisPort: spec.redisPort,
    sqlitePath: spec.sqlitePath,
    pgUrl: spec.pgUrl,
    maxAttempts: spec.params.maxAttempts ?? 5,
    leaseMs: spec.params.leaseMs ?? 30_000,
    eventyardTuning: {
      ...(spec.params.prefetch === undefined ? {} : { prefetch: spec.params.prefetch }),
      ...(spec.params.batchSize === undefined ? {} : { batchSize: spec.params.batchSize }),
      ...(spec.params.uuidv4 === 1 ? { uuidv4: true } : {}),
      ...(spec.params.keys === undefined ? {} : { orderingKeys: spec.params.keys }),
    },
  };
  let settings: Settings = {};
  let windows = 0;
  const phases = await workload({
    spec,
    systemOptions,
    createSystem: async () => {
      const system = await createSystem(spec.system, systemOptions);
      settings = { ...settings, ...system.settings };
      return system;
    },
    createPipeline: async () => {
      const pipeline = await createPipeline(spec.system, systemOptions);
      settings = { ...settings, ...pipeline.settings };
      return pipeline;
    },
    createMeter: () => {
      const file = spec.profileDir
        ? join(spec.profileDir, `${spec.system}-${spec.workload}-${process.pid}-${++windows}.cpuprofile`)
        : undefined;
      return new Meter(probe, file ? new WindowProfiler(file) : undefined);
    },
    note: (more) => (settings = { ...settings, ...more }),
  });
  await probe?.close();
  const result: RunResult = { spec, settings, phases };
  const send = process.send?.bind(process);
  if (send) await new Promise<void>((resolve) => send(result, undefined, {}, () => resolve()));
  else console.log(JSON.stringify(result, null, 2));
}

main().then(
  () => {
    // Some libraries keep timers alive after close; the result is out, so end here.
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
