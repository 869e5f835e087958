/**
 * Measures the Redis store alone (no processing layer): a pre-loaded backlog of 1 KB events
 * drained by `loops` concurrent claim(batch) → complete loops, on a private redis-server
 * (appendonly yes, appendfsync everysec; NOAOF=1 for none). Prints events/s, CPU of Redis
 * and of this process, and Redis commands and their µs per event from INFO commandstats
 * (commands run inside scripts included, and counted in their script's time too). With `keys` > 0 every event has ORDERING_KEY `k<i mod keys>`
 * (a loop that finds nothing claimable waits for the others until every event is done).
 *
 *   node --import tsx tests/support/redis-drain-probe.ts [events=100000] [loops=4] [batch=64] [keys=0]
 *
 * LAYOUT=packed drains the packed-layout prototype (redis-packed-prototype.ts) instead of the
 * store, on the same kind of server: what the layout would change, in the server's time.
 * BUILD=<dir> drains the store built in <dir>/dist (bench/build-baseline.sh builds an earlier
 * commit into .cache/baseline), for old against new.
 * PERF=<file> records the server with `perf record -g` for the drain's window only (read it
 * with `perf report -i <file>`). Debian's redis-server is stripped: for function names, put a
 * redis-server built from source (`make`, the same version) first on PATH.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRedisStore as currentStore } from '../../src/stores/redis/index.js';
import { publishBacklog } from './backlog.js';
import { createPackedPrototype } from './redis-packed-prototype.js';
import { createRedisServer } from './redis-server.js';

const events = Number(process.argv[2] ?? 100_000);
const loops = Number(process.argv[3] ?? 4);
const batch = Number(process.argv[4] ?? 64);
const keys = Number(process.argv[5] ?? 0);
const aof =
  process.env.NOAOF === '1'
    ? ['--save', '']
    : [
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        ...(process.env.NOREWRITE === '1' ? ['--auto-aof-rewrite-percentage', '0'] : []),
      ];
const server = await createRedisServer(aof);
await server.start();
const packed = process.env.LAYOUT === 'packed';
const createRedisStore =
  process.env.BUILD === undefined
    ? currentStore
    : (
        (await import(pathToFileURL(resolve(process.env.BUILD, 'dist/stores/redis/index.js')).href)) as {
          createRedisStore: typeof currentStore;
        }
      ).createRedisStore;
if (packed && keys > 0) throw new Error('the packed prototype has no ordering keys');
const store = packed
  ? createPackedPrototype({ port: server.port, keyPrefix: 'eventyard' })
  : createRedisStore({ port: server.port });
const admin = new Redis({ port: server.port });
await publishBacklog(store, events, {
  messageType: 'IN_BENCH',
  table: 'inbound',
  createdBy: 'BENCH',
  orderingKeys: keys,
});

/** `perf record` of the server process into `file`, started once it samples; undefined without a file. */
async function startPerf(file: string | undefined): Promise<{ stop(): Promise<void> } | undefined> {
  if (file === undefined) return undefined;
  const pid = /process_id:(\d+)/.exec(await admin.info('server'))?.[1];
  if (pid === undefined) throw new Error('INFO server has no process_id');
  const child = spawn('perf', ['record', '-F', '4000', '-g', '-p', pid, '-o', file], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 300));
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
}

async function serverStats(): Promise<{
  cpu: number;
  sys: number;
  aofBytes: number;
  calls: Map<string, { calls: number; usec: number }>;
}> {
  const text = await admin.info('all');
  const num = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
  const calls = [...text.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)].map(
    ([, n, c, u]) => [n ?? '', { calls: Number(c), usec: Number(u) }] as const,
  );
  return {
    cpu: num('used_cpu_user') + num('used_cpu_sys'),
    sys: num('used_cpu_sys'),
    aofBytes: num('aof_current_size'),
    calls: new Map(calls),
  };
}

await admin.config('RESETSTAT');
const perf = await startPerf(process.env.PERF);
const before = await serverStats();
const started = performance.now();
const cpuBefore = process.cpuUsage();
let done = 0;
await Promise.all(
  Array.from({ length: loops }, async (_, w) => {
    for (;;) {
      const claimed = await store.claim({
        table: 'inbound',
        messageTypes: ['IN_BENCH'],
        limit: batch,
        owner: `PROBE/${w}`,
        updatedBy: 'PROBE',
        leaseMs: 30_000,
      });
      if (claimed.length === 0) {
        if (keys === 0 || done >= events) return;
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      const outcomes = await store.complete(
        claimed.map((m) => ({ ref: m, updatedBy: 'PROBE', emits: [], workingData: [] })),
      );
      done += outcomes.filter((o) => o === 'ok').length;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await perf?.stop();
const cpu = process.cpuUsage(cpuBefore);
const after = await serverStats();
console.log(
  `${done} events in ${seconds.toFixed(2)} s = ${Math.round(done / seconds)}/s; ` +
    `Redis CPU ${(((after.cpu - before.cpu) / done) * 1e6).toFixed(1)} µs/event ` +
    `(system ${(((after.sys - before.sys) / done) * 1e6).toFixed(1)}), AOF ${Math.round((after.aofBytes - before.aofBytes) / done)} bytes/event; ` +
    `client CPU ${((cpu.user + cpu.system) / done).toFixed(1)} µs/event`,
);
const commands = [...after.calls].filter(([n]) => n !== 'info' && n !== 'config');
const total = commands.reduce((s, [, c]) => s + c.calls, 0);
console.log(
  `Redis commands per event ${(total / done).toFixed(2)}: ` +
    commands.map(([n, c]) => `${n} ${(c.calls / done).toFixed(3)}`).join(', '),
);
// A script's usec includes the commands it called; those are listed on their own too.
console.log(
  `Redis µs per event by command: ` +
    commands
      .sort(([, a], [, b]) => b.usec - a.usec)
      .map(([n, c]) => `${n} ${(c.usec / done).toFixed(2)}`)
      .join(', '),
);
await store.close();
admin.disconnect();
await server.destroy();
